import Foundation
import Testing

@testable import ShareBusCore

@Suite struct SubscriptionLifecycleTests {
    typealias F = SubscriptionFixtures
    let calendar = WorkingDayCalendar.china
    /// Monday 2026-09-28, 10:00 in Beijing: the Mid-Autumn days (25-27 Sep) are just over.
    let asked = F.beijing("2026-09-28T10:00:00")
    let later = F.beijing("2026-09-30T15:00:00")

    func request(_ changes: [String: JSONValue?] = [:], _ resource: Resource) throws -> SubscriptionRequest {
        try SubscriptionRequest.parse(SubscriptionRequestTests.body(changes), resource: resource)
    }

    func open(_ resource: Resource, _ changes: [String: JSONValue?] = [:], head: Int64 = 42) throws -> Subscription {
        try SubscriptionLifecycle.open(
            try request(changes, resource), id: "0f8fad5b-d9cb-469f-a165-70867728950e", consumer: F.consumer, resource: resource,
            head: head, now: asked, calendar: calendar)
    }

    @Test func unconditionalIsActiveAtOnce() throws {
        let subscription = try open(F.unconditional)
        #expect(subscription.status == .active)
        #expect(subscription.grantedFields == ["name", "gender"])
        #expect(subscription.decidedBy == "system" && subscription.decidedAt == "2026-09-28T02:00:00Z")
        #expect(subscription.createdAt == "2026-09-28T02:00:00Z")
        #expect(subscription.dueAt == nil && subscription.cursor == 0)
        #expect(subscription.deadlineState(now: later, calendar: calendar) == nil)
    }

    @Test func unconditionalStartingNowBeginsAtTheHead() throws {
        #expect(try open(F.unconditional, ["start": .string("now")], head: 42).cursor == 42)
    }

    @Test func conditionalIsPendingAndDueTenWorkingDaysLaterAcrossNationalDay() throws {
        // Counting by hand from Mon 28 Sep (the request day never counts): Tue 29 (1), Wed 30 (2);
        // 国庆 1-7 Oct off; Thu 8 (3), Fri 9 (4), Sat 10 worked as 调休 (5); Sun 11 off; Mon 12 (6),
        // 13 (7), 14 (8), 15 (9), Fri 16 (10). Due when Fri 16 Oct ends: 17 Oct 00:00 in Beijing,
        // 2026-10-16T16:00:00Z — three days before the
        // end of Mon 19 Oct that a count forgetting the worked Saturday would give.
        let subscription = try open(F.conditional, ["start": .string("now")])
        #expect(subscription.status == .pending)
        #expect(subscription.dueAt == "2026-10-16T16:00:00Z")
        #expect(subscription.dueAt == Timestamp.format(F.beijing("2026-10-17T00:00:00")))
        #expect(subscription.dueAt == Timestamp.format(calendar.addingWorkingDays(10, to: asked)))
        #expect(subscription.grantedFields.isEmpty && subscription.cursor == 0)
        #expect(subscription.decidedAt == nil && subscription.decidedBy == nil)
        #expect(subscription.deadlineState(now: later, calendar: calendar) == .due)
    }

    @Test(arguments: [
        ("2026-10-13T09:00:00", DeadlineState.due),  // 14, 15, 16 Oct left
        ("2026-10-14T09:00:00", .warning),  // 15, 16 Oct left
        ("2026-10-16T23:59:59", .warning),
        ("2026-10-17T00:00:01", .overdue),
    ])
    func pendingDeadlineStates(_ now: String, _ state: DeadlineState) throws {
        #expect(try open(F.conditional).deadlineState(now: F.beijing(now), calendar: calendar) == state)
    }

    @Test func noneIsRefused() throws {
        let error = try #require(throws: ShareBusError.self) { try open(F.unshareable) }
        #expect(error.code == .notShareable)
    }

    @Test(arguments: [Resource.Status.draft, .retired])
    func unpublishedIsRefused(_ status: Resource.Status) throws {
        let resource = F.with(F.unconditional) { $0.status = status }
        let error = try #require(throws: ShareBusError.self) { try open(resource) }
        #expect(error.code == .resourceNotPublished)
    }

    @Test func requestForAnotherResourceIsRefused() throws {
        let other = F.with(F.unconditional) { $0.code = "base.population.v2" }
        let error = try #require(throws: ShareBusError.self) {
            try SubscriptionLifecycle.open(
                try request([:], F.unconditional), id: "x", consumer: F.consumer, resource: other, head: 0, now: asked,
                calendar: calendar)
        }
        #expect(error.code == .invalidSubscription)
    }

    static let events: [SubscriptionEvent] = [.approve(fields: nil, activationCursor: 0), .reject(reason: "用途不明"), .suspend, .resume, .revoke]

    /// Protocol section 5, written out independently of `SubscriptionEvent.transition`.
    static let legal: [String: Subscription.Status] = [
        "pending approve": .active, "pending reject": .rejected, "pending revoke": .revoked,
        "active suspend": .suspended, "active revoke": .revoked,
        "suspended resume": .active, "suspended revoke": .revoked,
    ]

    @Test(arguments: Subscription.Status.allCases, events)
    func everyTransition(_ status: Subscription.Status, _ event: SubscriptionEvent) throws {
        let before = F.subscription(status)
        if let after = Self.legal["\(status.rawValue) \(event)"] {
            let next = try before.applying(event, by: "operator:ops01", now: later)
            #expect(next.status == after)
            #expect(next.decidedBy == "operator:ops01" && next.decidedAt == "2026-09-30T07:00:00Z")
            #expect(next.id == before.id && next.fields == before.fields && next.createdAt == before.createdAt)
        } else {
            let error = try #require(throws: ShareBusError.self) { try before.applying(event, by: "operator:ops01", now: later) }
            #expect(error.code == .invalidState)
            #expect(error.detail == "cannot \(event) a subscription that is \(status.rawValue)")
        }
    }

    @Test func rejectedAndRevokedAreFinal() {
        for status in [Subscription.Status.rejected, .revoked] {
            for event in Self.events {
                #expect(throws: ShareBusError.self) { try F.subscription(status).applying(event, by: "dept:x", now: later) }
            }
        }
    }

    @Test func approvingGrantsAllAskedOrASubsetInAskedOrder() throws {
        let pending = try open(F.conditional, ["fields": .array([.string("name"), .string("gender"), .string("birthDate")])])
        let all = try pending.approve(by: "dept:\(F.provider)", now: later)
        #expect(all.grantedFields == ["name", "gender", "birthDate"] && all.status == .active && all.cursor == 0)
        let some = try pending.approve(fields: ["birthDate", "name"], by: "dept:\(F.steward)", now: later, activationCursor: 99)
        #expect(some.grantedFields == ["name", "birthDate"] && some.cursor == 99)
        #expect(some.decidedBy == "dept:\(F.steward)")
    }

    @Test(arguments: [
        ([String](), ["/fields"]),
        (["name", "mobile"], ["/fields/1"]),
        (["name", "name"], ["/fields/1"]),
        (["salary", "idNumber"], ["/fields/0", "/fields/1"]),
    ])
    func approvingBadFieldsIsRefused(_ fields: [String], _ pointers: [String]) throws {
        let pending = try open(F.conditional)
        let error = try #require(throws: ShareBusError.self) { try pending.approve(fields: fields, by: "dept:x", now: later) }
        #expect(error.code == .invalidSubscription)
        #expect(error.problems.map(\.pointer) == pointers)
        if let first = fields.first, first == "salary" { #expect(error.detail.contains("salary")) }
    }

    @Test func rejectionKeepsItsReasonAndNeedsOne() throws {
        let pending = try open(F.conditional)
        let rejected = try pending.reject(reason: "用途与申请依据不符", by: "dept:\(F.provider)", now: later)
        #expect(rejected.status == .rejected && rejected.reason == "用途与申请依据不符" && rejected.grantedFields.isEmpty)
        let error = try #require(throws: ShareBusError.self) { try pending.reject(reason: " \n", by: "dept:x", now: later) }
        #expect(error.code == .invalidSubscription)
    }

    @Test func suspensionKeepsCursorAndGrants() throws {
        let active = F.subscription(.active)
        let resumed = try active.suspend(by: "dept:x", now: later).resume(by: "operator:ops01", now: later)
        #expect(resumed.status == .active && resumed.cursor == active.cursor && resumed.grantedFields == active.grantedFields)
        #expect(throws: ShareBusError.self) { try resumed.revoke(by: "dept:x", now: later).requireActive() }
        #expect(throws: Never.self) { try resumed.requireActive() }
    }
}
