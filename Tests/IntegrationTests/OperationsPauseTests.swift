import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import Testing

/// Pausing and resuming a queue (protocol section 9).
@Suite("Operations: pause and resume")
struct OperationsPauseTests {
    @Test("a paused pull answers 409 subscription-not-active until resumed; both actions are audited")
    func pausePull() async throws {
        try await TestBus.run { bus in
            let world = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            let id = try await Exchange.activeSubscription(tax, fields: ["name"])
            try await world.push([EnvelopeBuilder.upsert(Exchange.record(1))])

            let paused = try await world.ops.post("/v1/ops/subscriptions/\(id)/pause")
            #expect(paused.status == 200, "\(paused.text)")
            #expect(paused.json?["status"]?.stringValue == "paused" && paused.json?["paused"] == .bool(true))
            let refused = try await tax.get("/v1/subscriptions/\(id)/messages")
            #expect(refused.status == 409)
            #expect(refused.problemCode == "subscription-not-active")
            // The subscription itself stays active: pausing is the operators' lever, not a decision.
            #expect(try await tax.get("/v1/subscriptions/\(id)").json?["status"]?.stringValue == "active")
            #expect(try await world.ops.post("/v1/ops/subscriptions/\(id)/pause").status == 200, "pausing twice is no error")

            let resumed = try await world.ops.post("/v1/ops/subscriptions/\(id)/resume")
            #expect(resumed.status == 200)
            #expect(resumed.json?["status"]?.stringValue == "active" && resumed.json?["paused"] == .bool(false))
            #expect(Exchange.sequences(try await Exchange.pull(tax, id, bus: bus)) == [1])

            let pauses = try await Exchange.audit(world.ops, action: "ops.pause")
            #expect(pauses.count == 2 && pauses.allSatisfy { $0["actor"]?.stringValue == "operator:ops" && $0["target"]?.stringValue == id })
            #expect(try await Exchange.audit(world.ops, action: "ops.resume").count == 1)
        }
    }

    @Test("a pull waiting when its queue is paused answers 409, not the messages")
    func pauseWhileWaiting() async throws {
        try await TestBus.run { bus in
            let world = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            let id = try await Exchange.activeSubscription(tax, fields: ["name"])
            async let waiting = tax.get("/v1/subscriptions/\(id)/messages?wait=10")
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await world.ops.post("/v1/ops/subscriptions/\(id)/pause").status == 200)
            try await world.push([EnvelopeBuilder.upsert(Exchange.record(1))])
            let reply = try await waiting
            #expect(reply.status == 409 && reply.problemCode == "subscription-not-active", "\(reply.text)")
        }
    }

    @Test("a paused push queue sends nothing; resumed, it delivers what waited")
    func pausePush() async throws {
        try await PushBus.run { bus in
            let receiver = try await PushReceiver.start(pki: bus.pki)
            defer { Task { await receiver.stop() } }
            let world = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            let id = try await PushBus.activeSubscription(tax, url: receiver.url)
            #expect(try await world.ops.post("/v1/ops/subscriptions/\(id)/pause").status == 200)
            try await world.push([EnvelopeBuilder.upsert(Exchange.record(1))])
            try await Task.sleep(for: .milliseconds(500))
            #expect(receiver.received.isEmpty)
            #expect(try await PushBus.queue(world.ops, id)?["depth"] == .integer(1))
            #expect(try await world.ops.post("/v1/ops/subscriptions/\(id)/resume").status == 200)
            _ = try await receiver.waitFor(1)
            #expect(try PushBus.batches(receiver, bus: bus) == [[1]])
        }
    }

    @Test("a revoked subscription has no queue to pause")
    func pauseRevoked() async throws {
        try await TestBus.run { bus in
            let world = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            let id = try await Exchange.activeSubscription(tax, fields: ["name"])
            #expect(try await world.ops.post("/v1/subscriptions/\(id)/revoke").status == 200)
            let reply = try await world.ops.post("/v1/ops/subscriptions/\(id)/pause")
            #expect(reply.status == 409 && reply.problemCode == "invalid-state")
        }
    }
}
