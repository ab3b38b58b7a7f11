import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import Testing

/// Long-poll pulls (protocol section 6). The timings are functional checks with wide margins,
/// not benchmarks: a waiting pull must answer when the log grows, not when its wait runs out.
@Suite("Exchange long-poll")
struct ExchangeLongPollOnBothStores {
    @Test("a waiting pull answers as soon as an envelope is accepted", arguments: TestStore.allCases)
    func wakesOnPush(store: TestStore) async throws {
        try await TestBus.run(store: store) { bus in
            let world = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            let id = try await Exchange.activeSubscription(tax, fields: ["name"])
            let clock = ContinuousClock()
            let started = clock.now
            async let pulled = { () async throws -> (TestClient.Reply, ContinuousClock.Instant) in
                let reply = try await tax.get("/v1/subscriptions/\(id)/messages?wait=10")
                return (reply, clock.now)
            }()
            try await Task.sleep(for: .milliseconds(300))
            try await world.push([EnvelopeBuilder.upsert(Exchange.record(1))])
            let acceptedAt = clock.now
            let (reply, answeredAt) = try await pulled

            #expect(reply.status == 200, "\(reply.text)")
            let payload = try bus.verifyReply(reply.body, type: BusSigner.deliveryType).payload
            #expect(Exchange.sequences(payload) == [1])
            #expect(Exchange.messages(payload).first?["record"]?["name"] == Exchange.record(1)["name"])
            #expect(answeredAt - started >= .milliseconds(300), "the pull waited for the push")
            // Far below the 10 s wait, with room for a busy machine.
            #expect(answeredAt - acceptedAt < .seconds(3), "woken by the push, not by the 10 s wait")
        }
    }

    @Test("a wait with nothing pushed answers an empty batch after about the wait", arguments: TestStore.allCases)
    func timesOut(store: TestStore) async throws {
        try await TestBus.run(store: store) { bus in
            _ = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            let id = try await Exchange.activeSubscription(tax, fields: ["name"])
            let clock = ContinuousClock()
            let started = clock.now
            let payload = try await Exchange.pull(tax, id, query: "wait=1", bus: bus)
            let elapsed = clock.now - started
            #expect(payload?["messages"] == .array([]))
            #expect(payload?["nextCursor"] == .integer(0))
            #expect(elapsed >= .milliseconds(900), "waited \(elapsed)")
            #expect(elapsed < .seconds(5), "waited \(elapsed)")

            // Without wait, an empty log answers at once.
            let quick = clock.now
            _ = try await Exchange.pull(tax, id, bus: bus)
            // An empty log answers without waiting: well under the 1 s an empty wait takes above.
            #expect(clock.now - quick < elapsed)
        }
    }

    @Test("wait is bounded: more than 30 seconds is refused", arguments: TestStore.allCases)
    func waitBounds(store: TestStore) async throws {
        try await TestBus.run(store: store) { bus in
            _ = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            let id = try await Exchange.activeSubscription(tax, fields: ["name"])
            for bad in ["31", "-1", "soon"] {
                let reply = try await tax.get("/v1/subscriptions/\(id)/messages?wait=\(bad)")
                #expect(reply.status == 400, "wait=\(bad)")
                #expect(reply.problemCode == "invalid-parameter", "wait=\(bad)")
            }
        }
    }

    @Test("a subscription revoked or suspended while its pull waits delivers nothing", arguments: TestStore.allCases)
    func stoppedWhileWaiting(store: TestStore) async throws {
        for verb in ["revoke", "suspend"] {
            try await TestBus.run(store: store) { bus in
                let world = try await Exchange.world(bus)
                let tax = try await bus.department(Fixture.tax)
                let id = try await Exchange.activeSubscription(tax, fields: ["name"])
                async let pulled = tax.get("/v1/subscriptions/\(id)/messages?wait=10")
                try await Task.sleep(for: .milliseconds(300))
                let stopped = try await world.provider.post("/v1/subscriptions/\(id)/\(verb)")
                #expect(stopped.status == 200, "\(verb): \(stopped.text)")
                try await world.push([EnvelopeBuilder.upsert(Exchange.record(1))])
                let reply = try await pulled
                #expect(reply.status == 409, "\(verb) during a long-poll: \(reply.text)")
                #expect(reply.problemCode == "subscription-not-active")
                if reply.status == 200 {
                    let delivered = Exchange.messages(try bus.verifyReply(reply.body, type: BusSigner.deliveryType).payload)
                    #expect(delivered.isEmpty, "delivered after \(verb): \(delivered)")
                }
            }
        }
    }
}
