import Foundation
import NIOHTTP1
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import Testing

/// The operator API of protocol section 9: queues, pause and resume, and who may use it.
@Suite("Operations: queues")
struct OperationsQueueTests {
    @Test("GET /v1/ops/queues shows every subscription's depth, age, rate, failures and last delivery")
    func queues() async throws {
        try await PushBus.run { bus in
            let receiver = try await PushReceiver.start(pki: bus.pki, mode: .status(500))
            defer { Task { await receiver.stop() } }
            let world = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            let civil = try await bus.department(Exchange.civil)
            let pull = try await Exchange.activeSubscription(tax, fields: ["name"])
            let push = try await PushBus.activeSubscription(civil, url: receiver.url)
            try await world.push((1...3).map { EnvelopeBuilder.upsert(Exchange.record($0)) })
            try await PushBus.eventually("the push failed") { try await bus.store.deliveryState(subscription: push)?.batch?.attempts == 1 }

            let reply = try await world.ops.get("/v1/ops/queues")
            #expect(reply.status == 200)
            #expect(reply.header("content-type") == "application/json")
            let queues = try #require(reply.json?["queues"]?.arrayValue)
            #expect(Set(queues.compactMap { $0["subscription"]?.stringValue }) == [pull, push])
            let members: Set<String> = [
                "subscription", "consumer", "resource", "mode", "status", "paused", "cursor", "head", "depth", "oldestUnackedAgeSeconds",
                "deliveryRatePerMinute", "consecutiveFailures", "deadLetters", "lastDeliveryAt", "lastError", "nextAttemptAt",
            ]
            #expect(queues.allSatisfy { Set($0.objectValue?.keys ?? [:].keys) == members })

            let pulled = try #require(queues.first { $0["subscription"]?.stringValue == pull })
            #expect(pulled["consumer"]?.stringValue == Fixture.tax.id && pulled["resource"]?.stringValue == Exchange.code)
            #expect(pulled["mode"]?.stringValue == "pull" && pulled["status"]?.stringValue == "active")
            #expect(pulled["cursor"] == .integer(0) && pulled["head"] == .integer(3) && pulled["depth"] == .integer(3))
            #expect((pulled["oldestUnackedAgeSeconds"]?.doubleValue ?? -1) >= 0)
            #expect(pulled["deliveryRatePerMinute"]?.doubleValue == 0)
            #expect(pulled["lastDeliveryAt"] == .null)

            let pushed = try #require(queues.first { $0["subscription"]?.stringValue == push })
            #expect(pushed["mode"]?.stringValue == "push" && pushed["depth"] == .integer(3))
            #expect(pushed["consecutiveFailures"] == .integer(1))
            #expect(pushed["lastError"]?.stringValue == "HTTP 500")
            #expect(pushed["nextAttemptAt"]?.stringValue != nil)
            #expect(pushed["deadLetters"] == .integer(0))
            #expect(!reply.text.contains("测试人员"), "operators read no record values")

            // A pull and its acknowledgement empty the queue and count towards the rate.
            let payload = try await Exchange.pull(tax, pull, bus: bus)
            #expect(Exchange.sequences(payload) == [1, 2, 3])
            #expect(try await Exchange.ack(tax, pull, 3).status == 200)
            let after = try await PushBus.queue(world.ops, pull)
            #expect(after?["depth"] == .integer(0) && after?["cursor"] == .integer(3))
            #expect(after?["oldestUnackedAgeSeconds"] == .null)
            #expect(after?["lastDeliveryAt"]?.stringValue != nil)
            #expect(after?["deliveryRatePerMinute"]?.doubleValue == 0.6, "3 messages over a 5-minute window")
        }
    }

    @Test("departments get 403 on every operator route, and unknown ids answer 404")
    func operatorsOnly() async throws {
        try await TestBus.run { bus in
            let world = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            let id = try await Exchange.activeSubscription(tax, fields: ["name"])
            let dl = UUID().uuidString.lowercased()
            let routes: [(HTTPMethod, String)] = [
                (.GET, "/v1/ops/queues"), (.POST, "/v1/ops/subscriptions/\(id)/pause"), (.POST, "/v1/ops/subscriptions/\(id)/resume"),
                (.GET, "/v1/ops/subscriptions/\(id)/dead-letters"), (.POST, "/v1/ops/subscriptions/\(id)/dead-letters/\(dl)/replay"),
                (.DELETE, "/v1/ops/subscriptions/\(id)/dead-letters/\(dl)"),
            ]
            let before = try await Exchange.Snapshot.take(bus)
            for department in [tax, world.steward, world.provider] {
                for (method, path) in routes {
                    let reply = try await department.request(method, path, body: method == .GET ? nil : [])
                    #expect(reply.status == 403, "\(method) \(path): \(reply.text)")
                    #expect(reply.problemCode == "forbidden")
                    #expect(reply.header("content-type") == "application/problem+json")
                }
            }
            #expect(try await Exchange.Snapshot.take(bus) == before, "a refused request changes nothing")
            let missing = UUID().uuidString.lowercased()
            for (method, path) in [
                (HTTPMethod.POST, "/v1/ops/subscriptions/\(missing)/pause"), (.GET, "/v1/ops/subscriptions/\(missing)/dead-letters"),
            ] {
                let reply = try await world.ops.request(method, path, body: method == .GET ? nil : [])
                #expect(reply.status == 404 && reply.problemCode == "subscription-not-found", "\(path)")
            }
            let noLetter = try await world.ops.request(.DELETE, "/v1/ops/subscriptions/\(id)/dead-letters/\(dl)")
            #expect(noLetter.status == 404 && noLetter.problemCode == "dead-letter-not-found")
        }
    }
}
