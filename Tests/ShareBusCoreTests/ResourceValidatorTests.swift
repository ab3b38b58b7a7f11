import Testing

@testable import ShareBusCore

@Suite struct ResourceValidatorTests {
    @Test func acceptsAndDecodesAGoodResource() throws {
        #expect(ResourceValidator.validate(Fixtures.resourceJSON, knownProviders: ["gov.ningxia.scjg"]) == [])
        let resource = try ResourceValidator.decode(Fixtures.resourceJSON)
        #expect(resource.code == "cert.business-licence")
        #expect(resource.fields.map(\.name) == ["creditCode", "companyName", "kind"])
        #expect(resource.fields[2].values == ["company", "individual"])
        #expect(resource.version == 2 && resource.open && resource.status == .published)
    }

    @Test func optionalMembersTakeTheirDefaults() throws {
        let resource = try ResourceValidator.decode(Fixtures.resource(["open": nil, "version": nil, "status": nil, "description": nil]))
        #expect(resource.open == false && resource.version == 1 && resource.status == .draft && resource.description == nil)
    }

    @Test func namesFourDistinctProblems() throws {
        var fields = try #require(Fixtures.resourceJSON["fields"]?.arrayValue)
        fields[1] = .object(["name": .string("companyName"), "type": .string("text"), "sensitivity": .string("L5")])
        let json = Fixtures.resource(["code": .string("Cert.Licence"), "fields": .array(fields), "updateCycle": nil])
        let found = ResourceValidator.validate(json)
        #expect(found.map(\.pointer).sorted() == ["/code", "/fields/1/sensitivity", "/fields/1/type", "/updateCycle"])
        let error = try #require(throws: ShareBusError.self) { try ResourceValidator.decode(json) }
        #expect(error.code == .invalidResource)
        #expect(error.problems == found)
    }

    @Test(
        arguments: [
            ("code", JSONValue.string("population"), "/code"),
            ("code", .string("base..population"), "/code"),
            ("code", .string("1base.population"), "/code"),
            ("name", .string("  "), "/name"),
            ("name", nil, "/name"),
            ("category", .string("people"), "/category"),
            ("provider", .string("Gov Ningxia"), "/provider"),
            ("provider", .string("gov.unknown"), "/provider"),
            ("primaryKey", .string("missing"), "/primaryKey"),
            ("primaryKey", .string("kind"), "/primaryKey"),
            ("fields", .array([]), "/fields"),
            ("fields", .object([:]), "/fields"),
            ("sharing", .object(["type": .string("sometimes")]), "/sharing/type"),
            ("sharing", .object(["type": .string("conditional")]), "/sharing/basis"),
            ("sharing", .object(["type": .string("conditional"), "basis": .string(" ")]), "/sharing/basis"),
            ("sharing", .object(["type": .string("none"), "why": .string("x")]), "/sharing/why"),
            ("open", .string("yes"), "/open"),
            ("version", .integer(0), "/version"),
            ("version", .number(1.5), "/version"),
            ("status", .string("live"), "/status"),
            ("owner", .string("x"), "/owner"),
        ] as [(String, JSONValue?, String)])
    func namesTheMemberAtFault(_ member: String, _ value: JSONValue?, _ pointer: String) {
        let found = ResourceValidator.validate(Fixtures.resource([member: value]), knownProviders: ["gov.ningxia.scjg"])
        #expect(found.map(\.pointer) == [pointer], "\(found)")
    }

    @Test(
        arguments: [
            (JSONValue.object(["name": .string("x"), "type": .string("string")]), ["/fields/3/sensitivity"]),
            (.object(["name": .string("2x"), "type": .string("string"), "sensitivity": .string("L1")]), ["/fields/3/name"]),
            (.object(["name": .string("kind"), "type": .string("string"), "sensitivity": .string("L1")]), ["/fields/3/name"]),
            (.object(["name": .string("x"), "type": .string("enum"), "sensitivity": .string("L1")]), ["/fields/3/values"]),
            (.object(["name": .string("x"), "type": .string("enum"), "sensitivity": .string("L1"), "values": .array([])]), ["/fields/3/values"]),
            (
                .object([
                    "name": .string("x"), "type": .string("enum"), "sensitivity": .string("L1"),
                    "values": .array([.string("a"), .integer(1), .string("a")]),
                ]), ["/fields/3/values/1", "/fields/3/values/2"]
            ),
            (
                .object(["name": .string("x"), "type": .string("string"), "sensitivity": .string("L1"), "values": .array([.string("a")])]),
                ["/fields/3/values"]
            ),
            (
                .object(["name": .string("x"), "type": .string("string"), "sensitivity": .string("L1"), "required": .string("yes")]),
                ["/fields/3/required"]
            ),
            (.object(["name": .string("x"), "type": .string("string"), "sensitivity": .string("L1"), "format": .string("y")]), ["/fields/3/format"]),
            (.string("x"), ["/fields/3"]),
        ] as [(JSONValue, [String])])
    func namesTheFieldMemberAtFault(_ field: JSONValue, _ pointers: [String]) throws {
        var fields = try #require(Fixtures.resourceJSON["fields"]?.arrayValue)
        fields.append(field)
        let found = ResourceValidator.validate(Fixtures.resource(["fields": .array(fields)]))
        #expect(found.map(\.pointer) == pointers, "\(found)")
    }

    @Test(arguments: ["object", "array", "geoPoint"])
    func primaryKeyMustBeAScalar(_ type: String) throws {
        var fields = try #require(Fixtures.resourceJSON["fields"]?.arrayValue)
        fields[0] = .object(["name": .string("creditCode"), "type": .string(type), "required": .bool(true), "sensitivity": .string("L1")])
        let found = ResourceValidator.validate(Fixtures.resource(["fields": .array(fields)]))
        #expect(found.count == 1)
        #expect(found.first?.pointer == "/primaryKey")
        #expect(found.first?.reason.contains("scalar") == true)
    }

    @Test func primaryKeyMustBeRequired() throws {
        var fields = try #require(Fixtures.resourceJSON["fields"]?.arrayValue)
        fields[0] = .object(["name": .string("creditCode"), "type": .string("creditCode"), "sensitivity": .string("L1")])
        let found = ResourceValidator.validate(Fixtures.resource(["fields": .array(fields)]))
        #expect(found == [FieldProblem(pointer: "/primaryKey", reason: "primary key field creditCode must be required: true")])
    }

    @Test(arguments: [JSONValue.array([]), .string("resource"), .null])
    func resourceMustBeAnObject(_ json: JSONValue) {
        #expect(ResourceValidator.validate(json).map(\.pointer) == [""])
    }
}
