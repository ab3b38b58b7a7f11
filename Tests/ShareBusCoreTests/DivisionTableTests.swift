import Testing

@testable import ShareBusCore

@Suite struct DivisionTableTests {
    @Test func sharedTableHoldsTheGeneratedData() {
        #expect(DivisionTable.shared.count == 3210)
    }

    @Test(
        arguments: [
            ("110000", "北京市", DivisionTable.Level.province, nil),
            ("110105", "朝阳区", .county, "110000"),
            ("350100", "福州市", .prefecture, "350000"),
            ("640104", "兴庆区", .county, "640100"),
            ("820000", "澳门特别行政区", .province, nil),
        ] as [(String, String, DivisionTable.Level, String?)])
    func knowsDivisions(_ code: String, _ name: String, _ level: DivisionTable.Level, _ parent: String?) {
        let table = DivisionTable.shared
        #expect(table.contains(code))
        #expect(table.name(of: code) == name)
        #expect(table.level(of: code) == level)
        #expect(table.parent(of: code) == parent)
    }

    @Test(arguments: ["999999", "440524", "110100", "000000", "11010", "1101055", "abcdef", ""])
    func doesNotKnowOtherCodes(_ code: String) {
        #expect(!DivisionTable.shared.contains(code))
        #expect(DivisionTable.shared.problem(with: code) != nil)
    }

    @Test(arguments: [("440524", true), ("139999", true), ("110105", true), ("999999", false), ("000000", false), ("11010X", false)])
    func issuingDivisionFallsBackToTheProvince(_ code: String, _ accepted: Bool) {
        #expect(DivisionTable.shared.acceptsIssuingDivision(code) == accepted)
    }

    @Test func parsesACustomTable() {
        let table = DivisionTable(csv: "code,name,level,parent\n650000,新疆,province,\n650100,乌鲁木齐市,prefecture,650000\nbad line\n")
        #expect(table.count == 2)
        #expect(table.parent(of: "650100") == "650000")
        #expect(table.problem(with: "650100") == nil)
        #expect(table.problem(with: "110105") == "division code 110105 unknown")
    }
}
