import Testing

@testable import ShareBusCore

@Suite struct CreditCodeTests {
    @Test(arguments: [
        "91350100M000100Y43",  // a published enterprise code, 福州市
        "91110000100000008J",
        "91440300MA5EXAMP0C",  // 深圳市, organization code with letters
        "52640100MA76B2K329",  // 民政 social organisation, 银川市
        "913101157179F0016L",
        "12330000470000005L",  // 机构编制 public institution, 浙江省
        "91440524MA5EXAMP0F",  // a retired county code inside a known province
    ])
    func acceptsValidCodes(_ code: String) {
        #expect(CreditCode.validate(code) == nil)
    }

    @Test(arguments: [
        ("91110000100000000X", "organization code: check character should be 8"),
        ("91350100M000100Y56", "organization code: check character should be 4"),
        ("91350100M000100Y44", "check character should be 3"),
        ("91350100M000100Y40", "check character should be 3"),
        ("919999001000000087", "division code 999900 unknown"),
        ("Q1350100M000100Y4K", "registration authority code Q unknown"),
        ("90350100M000100Y46", "organization type 0"),
        ("91350100M000100Y4", "must be 18 characters"),
        ("91350100I000100Y43", "must be 18 characters"),
        ("91350100m000100y43", "must be 18 characters"),
        ("91350100M000100Y43 ", "must be 18 characters"),
    ])
    func rejectsBrokenCodesWithAReason(_ code: String, _ reason: String) throws {
        let problem = try #require(CreditCode.validate(code))
        #expect(problem.contains(reason), "\(code): \(problem)")
    }

    @Test(
        arguments: [
            ("91350100M000100Y4", "3"), ("91110000100000008", "J"), ("12330000470000005", "L"), ("52640100MA76B2K32", "9"),
        ] as [(String, Character)])
    func computesTheCheckCharacter(_ first17: String, _ check: Character) {
        #expect(CreditCode.checkCharacter(for: first17) == check)
    }

    @Test(arguments: ["91350100M000100Y", "91350100M000100YI", "91350100M000100Y43"])
    func noCheckCharacterForMalformedInput(_ first17: String) {
        #expect(CreditCode.checkCharacter(for: first17) == nil)
    }

    @Test(arguments: [("M000100Y", "4"), ("10000000", "8"), ("MA5EXAMP", "0"), ("7179F001", "6")] as [(String, Character)])
    func computesTheOrganizationCodeCheckCharacter(_ first8: String, _ check: Character) {
        #expect(OrganizationCode.checkCharacter(for: first8) == check)
    }

    @Test func organizationCheckWritesTenAsX() throws {
        // Find a body whose check value is 10 and confirm it is written X and validates.
        let body = try #require((0..<1000).lazy.map { String(10_000_000 + $0) }.first { OrganizationCode.checkCharacter(for: $0) == "X" })
        #expect(OrganizationCode.validate(body + "X") == nil)
        #expect(OrganizationCode.validate(body + "0") == "check character should be X")
    }

    @Test func generatedCodesValidate() throws {
        // A code built with both helpers passes; altering any one character is caught.
        let first8 = "MA0TE7T1"
        let org = first8 + String(try #require(OrganizationCode.checkCharacter(for: first8)))
        let first17 = "91640104" + org
        let code = first17 + String(try #require(CreditCode.checkCharacter(for: first17)))
        #expect(CreditCode.validate(code) == nil)
        var broken = Array(code)
        broken[10] = broken[10] == "1" ? "2" : "1"
        #expect(CreditCode.validate(String(broken)) != nil)
    }
}
