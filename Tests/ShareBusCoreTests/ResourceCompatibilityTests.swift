import Testing

@testable import ShareBusCore

@Suite struct ResourceCompatibilityTests {
    let old = Fixtures.population

    @Test func addingAnOptionalFieldIsCompatible() {
        var new = old
        new.fields.append(.init(name: "nation", type: .string, sensitivity: .L2))
        new.version = 2
        new.name = "人口基础信息（第二版）"
        #expect(new.compatibilityProblems(from: old) == [])
    }

    @Test func wideningAnEnumOrRelaxingRequiredIsCompatible() {
        var new = old
        new.fields[2].values = ["male", "female", "unknown"]
        new.fields[1].required = false
        #expect(new.compatibilityProblems(from: old) == [])
    }

    @Test(arguments: [
        ("removed", "field birthDate removed"),
        ("retyped", "field children changed type from integer to number"),
        ("required", "field birthDate became required"),
        ("primaryKey", "primary key changed from idNumber to name"),
        ("enum", "field gender no longer allows female"),
        ("newRequired", "new field nation is required"),
        ("provider", "provider changed from gov.ningxia.gongan to gov.ningxia.minzheng"),
    ])
    func namesABreakingChange(_ change: String, _ problem: String) {
        var new = old
        switch change {
        case "removed": new.fields.removeAll { $0.name == "birthDate" }
        case "retyped": new.fields[4].type = .number
        case "required": new.fields[3].required = true
        case "primaryKey": new.primaryKey = "name"
        case "enum": new.fields[2].values = ["male", "unknown"]
        case "newRequired": new.fields.append(.init(name: "nation", type: .string, required: true, sensitivity: .L2))
        default: new.provider = "gov.ningxia.minzheng"
        }
        #expect(new.compatibilityProblems(from: old) == [problem])
    }

    @Test func listsEveryBreakingChange() {
        var new = old
        new.fields.removeAll { $0.name == "home" }
        new.fields[0].type = .string
        new.primaryKey = "name"
        #expect(new.compatibilityProblems(from: old).count == 3)
    }
}
