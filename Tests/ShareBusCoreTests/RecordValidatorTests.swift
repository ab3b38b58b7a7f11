import Testing

@testable import ShareBusCore

@Suite struct RecordValidatorTests {
    private func problems(_ record: JSONValue, path: String = "") -> [FieldProblem] {
        RecordValidator.validate(record, against: Fixtures.population, path: path, check: Fixtures.check)
    }

    @Test func acceptsAGoodRecord() {
        #expect(problems(Fixtures.goodRecord) == [])
    }

    @Test func optionalFieldsMayBeAbsentOrNull() {
        #expect(problems(Fixtures.record(["birthDate": nil, "home": .null, "aliases": nil])) == [])
    }

    @Test(arguments: [
        ("idNumber", JSONValue.string("110105194912310021"), "check character should be X"),
        ("idNumber", .integer(110_105_194_912_310_021), "must be a string"),
        ("name", .integer(1), "must be a string"),
        ("gender", .string("other"), "must be one of male, female"),
        ("birthDate", .string("2023-02-29"), "YYYY-MM-DD"),
        ("children", .number(2.5), "must be an integer"),
        ("children", .string("2"), "must be an integer"),
        // Whole, but beyond 64 bits: its text form would no longer read back as an integer key.
        ("children", .number(1e300), "must be an integer"),
        ("height", .string("172"), "must be a number"),
        ("alive", .integer(1), "must be a boolean"),
        ("updatedAt", .string("2026-11-22 12:00"), "RFC 3339"),
        ("employer", .string("91350100M000100Y44"), "check character should be 3"),
        ("residence", .string("999999"), "division code 999999 unknown"),
        ("residence", .string("440524"), "division code 440524 unknown"),
        ("mobile", .string("12345"), "mobile number"),
        ("home", .object(["lon": .number(200), "lat": .number(0)]), "lon must be between"),
        ("address", .string("x"), "must be an object"),
        ("aliases", .object([:]), "must be an array"),
    ])
    func namesAWrongValue(_ field: String, _ value: JSONValue, _ reason: String) throws {
        let found = problems(Fixtures.record([field: value]))
        try #require(found.count == 1, "\(found)")
        #expect(found[0].pointer == "/" + field)
        #expect(found[0].reason.contains(reason), "\(found[0])")
    }

    @Test func integralNumbersCountAsIntegers() {
        #expect(problems(Fixtures.record(["children": .number(3.0)])) == [])
    }

    @Test func reportsEveryProblemWithPointersUnderThePath() throws {
        let record = Fixtures.record([
            "idNumber": nil, "name": .null, "gender": .string("x"), "mobile": .string("95588"),
            "nickname": .string("三"), "a/b~c": .bool(true),
        ])
        let found = problems(record, path: "/operations/3/record")
        #expect(
            found.map(\.pointer) == [
                "/operations/3/record/idNumber", "/operations/3/record/name", "/operations/3/record/gender",
                "/operations/3/record/mobile", "/operations/3/record/a~1b~0c", "/operations/3/record/nickname",
            ])
        try #require(found.count == 6)
        #expect(found[0].reason == "required field is missing")
        #expect(found[1].reason == "required field must not be null")
        #expect(found[4].reason.contains("unknown field"))
    }

    @Test(arguments: [JSONValue.array([]), .string("{}"), .null, .integer(1)])
    func recordMustBeAnObject(_ record: JSONValue) {
        #expect(problems(record, path: "/record") == [FieldProblem(pointer: "/record", reason: "record must be a JSON object")])
    }

    @Test(arguments: [
        (JSONValue.string("11010519491231002X"), true), (.string("11010519491231002x"), false), (.null, false),
        (.integer(11_010_519), false), (.string(""), false),
    ])
    func checksADeleteKey(_ key: JSONValue, _ valid: Bool) {
        let found = RecordValidator.validateKey(key, resource: Fixtures.population, path: "/key", check: Fixtures.check)
        #expect(found.isEmpty == valid, "\(found)")
        #expect(found.allSatisfy { $0.pointer == "/key" })
    }

    @Test func readsTextKeysByTheKeyType() {
        var numbered = Fixtures.population
        numbered.fields[0].type = .integer
        #expect(RecordValidator.validateKey("42", resource: numbered).isEmpty)
        #expect(!RecordValidator.validateKey("4.2", resource: numbered).isEmpty)
        #expect(RecordValidator.validateKey("11010519491231002X", resource: Fixtures.population, check: Fixtures.check).isEmpty)
        #expect(!RecordValidator.validateKey("11010519491231002", resource: Fixtures.population, check: Fixtures.check).isEmpty)
    }

    @Test(arguments: [("a/b", "/r/a~1b"), ("~1", "/r/~01"), ("plain", "/r/plain"), ("", "/r/")])
    func escapesPointerTokens(_ token: String, _ pointer: String) {
        #expect(JSONPointer.appending(token, to: "/r") == pointer)
    }
}
