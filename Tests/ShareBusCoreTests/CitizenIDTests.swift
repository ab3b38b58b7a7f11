import Testing

@testable import ShareBusCore

/// A fixed "today" so birth-date checks do not depend on when the tests run.
let referenceDay = LocalDate(year: 2026, month: 11, day: 22)!

@Suite struct CitizenIDTests {
    @Test(arguments: [
        "11010519491231002X",  // the GB 11643 example: 北京市朝阳区, born 1949-12-31
        "640104199003071236",  // 银川市兴庆区
        "350102198511115673",  // 福州市鼓楼区
        "510108200002290017",  // born on a leap day
        "32058319700101432X",  // 昆山市
        "11010519000101001X",  // the earliest birth year accepted
        "11010520261122001X",  // born today
    ])
    func acceptsValidNumbers(_ id: String) {
        #expect(CitizenID.validate(id, today: referenceDay) == nil)
    }

    @Test(arguments: [
        ("110105194912310021", "check character should be X"),
        ("640104199003071235", "check character should be 6"),
        ("350102198511115670", "check character should be 3"),
        ("11010519491231002x", "uppercase X"),
        ("440524188001010014", "before 1900"),
        ("110105189912310015", "before 1900"),
        ("11010519900230001X", "birth date 19900230 does not exist"),
        ("510108200102290014", "birth date 20010229 does not exist"),
        ("11010520300101001X", "in the future"),
        ("110105202611230015", "in the future"),
        ("999999199001010016", "division prefix 999999 unknown"),
        ("11010519491231002", "must be 17 digits followed by a digit or X"),
        ("11010519491231002XX", "must be 17 digits followed by a digit or X"),
        ("1101051949123100AX", "must be 17 digits followed by a digit or X"),
        ("11010519491231002Y", "must be 17 digits followed by a digit or X"),
        ("", "must be 17 digits followed by a digit or X"),
    ])
    func rejectsBrokenNumbersWithAReason(_ id: String, _ reason: String) throws {
        let problem = try #require(CitizenID.validate(id, today: referenceDay))
        #expect(problem.contains(reason), "\(id): \(problem)")
    }

    @Test func retiredDivisionIsAcceptedWithinAKnownProvince() {
        // 440524 (汕头市潮阳县) was retired in 2003; numbers issued there are still valid.
        #expect(!DivisionTable.shared.contains("440524"))
        #expect(CitizenID.validate("440524198001010013", today: referenceDay) == nil)
        // A province that never existed is not rescued by the fallback.
        #expect(CitizenID.validate("990524198001010013", today: referenceDay) != nil)
    }

    @Test(arguments: [("11010519491231002", "X"), ("64010419900307123", "6"), ("35010219851111567", "3")] as [(String, Character)])
    func computesTheCheckCharacter(_ first17: String, _ check: Character) {
        #expect(CitizenID.checkCharacter(for: first17) == check)
    }

    @Test(arguments: ["1101051949123100", "1101051949123100A", ""])
    func noCheckCharacterForMalformedInput(_ first17: String) {
        #expect(CitizenID.checkCharacter(for: first17) == nil)
    }

    @Test func normalizeUppercasesAndTrims() {
        #expect(CitizenID.normalize(" 11010519491231002x\n") == "11010519491231002X")
        #expect(CitizenID.validate(CitizenID.normalize("11010519491231002x"), today: referenceDay) == nil)
    }

    @Test func readsTheBirthDate() {
        #expect(CitizenID.birthDate(of: "11010519491231002X") == LocalDate(year: 1949, month: 12, day: 31))
        #expect(CitizenID.birthDate(of: "11010519900230001X") == nil)
    }
}
