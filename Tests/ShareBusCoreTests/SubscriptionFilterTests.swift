import Testing

@testable import ShareBusCore

@Suite struct SubscriptionFilterTests {
    typealias F = SubscriptionFixtures
    let record = (Fixtures.goodRecord.objectValue ?? [:]).merging(["notInSchema": .string("秘密")]) { a, _ in a }

    @Test(arguments: [
        ["name"], ["name", "gender"], ["mobile", "home", "birthDate"], ["idNumber"], ["aliases", "name", "employer"],
        Fixtures.population.fields.map(\.name),
    ])
    func neverLeaksAnUngrantedField(_ granted: [String]) {
        let subscription = F.with(F.subscription(.active, granted: granted)) { $0.fields = granted }
        let kept = subscription.filter(record: record, resource: F.conditional)
        #expect(Set(kept.keys) == Set(granted).union(["idNumber"]))
        for (name, value) in kept { #expect(record[name] == value) }
        #expect(kept["notInSchema"] == nil)
    }

    @Test func visibleFieldsFollowTheResourceOrderWithThePrimaryKey() {
        let subscription = F.subscription(.active, granted: ["mobile", "name"])
        #expect(subscription.visibleFields(resource: F.conditional) == ["idNumber", "name", "mobile"])
    }

    @Test func missingMembersStayMissing() {
        let kept = F.subscription(.active, granted: ["name", "birthDate"]).filter(record: ["idNumber": .string("x")], resource: F.conditional)
        #expect(kept == ["idNumber": .string("x")])
    }

    @Test(arguments: [Subscription.Status.pending, .rejected, .suspended, .revoked])
    func leavesNothingUnlessActive(_ status: Subscription.Status) {
        #expect(F.subscription(status).filter(record: record, resource: F.conditional).isEmpty)
    }

    @Test func leavesNothingForAnotherResource() {
        let other = F.with(F.conditional) { $0.code = "base.population.copy" }
        #expect(F.subscription(.active).filter(record: record, resource: other).isEmpty)
        #expect(F.subscription(.active).visibleFields(resource: other).isEmpty)
    }
}
