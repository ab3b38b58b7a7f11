import Foundation
import ShareBusCore
import ShareBusStore
import Testing

extension StoreContractTests {
    @Test("subscriptions: stored, filtered and paged in id order, changed under the rule, remembered start-at-head", arguments: StoreKind.allCases)
    func subscriptions(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.createSubscription(Fixture.subscription("s2", status: .pending), startAtHead: true, audit: Fixture.audit("subscription.request"))
            try await store.createSubscription(Fixture.subscription("s1"), startAtHead: false, audit: Fixture.audit("subscription.request"))
            try await store.createSubscription(
                Fixture.subscription("s3", consumer: "c2", resource: "r.b"), startAtHead: false, audit: Fixture.audit("subscription.request"))
            #expect(try await store.subscription(id: "s1") == Fixture.subscription("s1"))
            #expect(try await store.subscription(id: "nope") == nil)
            #expect(try await store.subscriptionStartsAtHead(id: "s2"))
            #expect(try await !store.subscriptionStartsAtHead(id: "s1"))
            #expect(try await store.subscriptions(SubscriptionFilter()).map(\.id) == ["s1", "s2", "s3"])
            #expect(try await store.subscriptions(SubscriptionFilter(limit: 1, after: "s1")).map(\.id) == ["s2"])
            #expect(try await store.subscriptions(SubscriptionFilter(consumer: "c1")).map(\.id) == ["s1", "s2"])
            #expect(try await store.subscriptions(SubscriptionFilter(status: .pending)).map(\.id) == ["s2"])
            #expect(try await store.subscriptions(SubscriptionFilter(resources: ["r.b", "r.x"])).map(\.id) == ["s3"])
            #expect(try await store.subscriptions(SubscriptionFilter(resources: [])).isEmpty)
            let approved = try await store.changeSubscription(id: "s2", audit: Fixture.audit("subscription.approve")) {
                var subscription = $0
                subscription.status = .active
                subscription.cursor = 5
                return subscription
            }
            #expect(approved.status == .active && approved.cursor == 5)
            #expect(try await store.subscription(id: "s2") == approved)
            let refused = await #expect(throws: ShareBusError.self) {
                try await store.changeSubscription(id: "s1", audit: Fixture.audit("subscription.approve")) { _ in
                    throw ShareBusError.invalidState("refused by the rule")
                }
            }
            #expect(refused?.code == .invalidState)
            let missing = await #expect(throws: ShareBusError.self) {
                try await store.changeSubscription(id: "nope", audit: Fixture.audit("x")) { $0 }
            }
            #expect(missing?.code == .subscriptionNotFound)
            // Four writes made it; the refused ones left nothing behind.
            #expect(try await Fixture.verifiedChain(store).map(\.action) == [
                "subscription.request", "subscription.request", "subscription.request", "subscription.approve",
            ])
        }
    }

    @Test("acknowledge: only forward, only what was delivered; the cursor moves and reads back", arguments: StoreKind.allCases)
    func acknowledgeRules(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Fixture.accept(Fixture.envelope("e1", (1...5).map { Fixture.upsert("k\($0)", "{}") }), in: store)
            try await store.createSubscription(Fixture.subscription("s1"), startAtHead: false, audit: Fixture.audit("subscription.request"))
            let undelivered = await #expect(throws: ShareBusError.self) {
                try await store.acknowledge(subscription: "s1", sequence: 1, audit: Fixture.audit("ack"))
            }
            #expect(undelivered?.code == .ackOutOfRange)
            try await store.recordDelivery(subscription: "s1", through: 3, audit: Fixture.audit("pull"))
            #expect(try await store.acknowledge(subscription: "s1", sequence: 2, audit: Fixture.audit("ack")).cursor == 2)
            #expect(try await store.subscription(id: "s1")?.cursor == 2)
            let behind = await #expect(throws: ShareBusError.self) {
                try await store.acknowledge(subscription: "s1", sequence: 1, audit: Fixture.audit("ack"))
            }
            #expect(behind?.code == .ackOutOfRange)
            let beyond = await #expect(throws: ShareBusError.self) {
                try await store.acknowledge(subscription: "s1", sequence: 4, audit: Fixture.audit("ack"))
            }
            #expect(beyond?.code == .ackOutOfRange)
            // Acknowledging the cursor again is allowed; a delivery mark never goes back.
            #expect(try await store.acknowledge(subscription: "s1", sequence: 2, audit: Fixture.audit("ack")).cursor == 2)
            try await store.recordDelivery(subscription: "s1", through: 1, audit: Fixture.audit("pull"))
            #expect(try await store.acknowledge(subscription: "s1", sequence: 3, audit: Fixture.audit("ack")).cursor == 3)
            let missing = await #expect(throws: ShareBusError.self) {
                try await store.acknowledge(subscription: "nope", sequence: 1, audit: Fixture.audit("ack"))
            }
            #expect(missing?.code == .subscriptionNotFound)
            // A pull's own record also counts as delivered.
            try await store.recordPullDelivery(subscription: "s1", through: 5, messages: 2, at: Fixture.t0, audit: Fixture.audit("pull"))
            #expect(try await store.acknowledge(subscription: "s1", sequence: 5, audit: Fixture.audit("ack")).cursor == 5)
            // A cursor moved by a change also counts as delivered.
            _ = try await store.changeSubscription(id: "s1", audit: Fixture.audit("x")) { var s = $0; s.cursor = 5; return s }
            try await Fixture.verifiedChain(store)
        }
    }
}
