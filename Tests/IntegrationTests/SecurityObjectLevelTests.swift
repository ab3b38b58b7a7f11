import Foundation
import NIOHTTP1
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import Testing

/// Object-level authorization (OWASP API1): a department reaches only its own subscriptions, and
/// no department reaches any queue, dead letter or pause switch, its own included. Another's
/// subscription answers exactly as one that does not exist, so ids cannot be probed.
@Suite("Security: object-level authorization")
struct SecurityObjectLevelTests {
    @Test("a department cannot see, pull, acknowledge or manage another department's subscription, nor learn that it exists")
    func subscriptions() async throws {
        try await SecurityBus.run { bus in
            let world = try await Exchange.world(bus)
            let civil = try await bus.department(Security.civil)
            let health = try await bus.department(Security.health)
            try await world.push([EnvelopeBuilder.upsert(Security.record(1)), EnvelopeBuilder.upsert(Security.record(2))])
            let own = try await Exchange.activeSubscription(civil, fields: ["name"])
            let theirs = try await Exchange.activeSubscription(health, fields: ["name"], permissions: ["pull", "query"])
            let missing = UUID().uuidString.lowercased()
            let before = try await Exchange.Snapshot.take(bus)

            // Reading, pulling, acknowledging and deciding on another's subscription: the same
            // answer as for an id that does not exist.
            let probes: [(HTTPMethod, String, JSONValue?)] = [
                (.GET, "/v1/subscriptions/{id}", nil), (.GET, "/v1/subscriptions/{id}/messages", nil),
                (.GET, "/v1/subscriptions/{id}/messages?wait=1", nil), (.POST, "/v1/subscriptions/{id}/ack", .object(["sequence": .integer(2)])),
                (.POST, "/v1/subscriptions/{id}/suspend", nil), (.POST, "/v1/subscriptions/{id}/resume", nil),
                (.POST, "/v1/subscriptions/{id}/revoke", nil), (.POST, "/v1/subscriptions/{id}/approve", nil),
                (.POST, "/v1/subscriptions/{id}/reject", .object(["reason": .string("x")])),
            ]
            for (method, template, body) in probes {
                let other = try await civil.request(method, template.replacingOccurrences(of: "{id}", with: theirs), body: try body.map(encode))
                let none = try await civil.request(method, template.replacingOccurrences(of: "{id}", with: missing), body: try body.map(encode))
                #expect([403, 404].contains(other.status), "\(method) \(template): \(other.status) \(other.text)")
                #expect(other.status == none.status && other.problemCode == none.problemCode, "\(method) \(template) tells another's subscription from none: \(other.text) / \(none.text)")
                // Word for word the same, but for the id the caller itself sent.
                #expect(
                    other.text.replacingOccurrences(of: theirs, with: "ID") == none.text.replacingOccurrences(of: missing, with: "ID"),
                    "\(method) \(template): \(other.text) / \(none.text)")
                #expect(Security.leaks(in: other.text, keys: [Exchange.citizenID(1)], includingGranted: true) == [])
            }

            // Lists name only the caller's own.
            let listed = try await civil.get("/v1/subscriptions?limit=1000")
            let ids = listed.json?["subscriptions"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            #expect(ids == [own], "\(listed.text)")
            for status in ["active", "pending", "suspended", "revoked"] {
                let filtered = try await civil.get("/v1/subscriptions?status=\(status)")
                #expect(!filtered.text.contains(theirs), "status=\(status): \(filtered.text)")
            }
            // Query by key goes through the caller's own query grant only: civil has none.
            let query = try await civil.get("/v1/resources/\(Exchange.code)/records/\(Exchange.citizenID(1))")
            #expect(query.status == 403 && query.problemCode == "not-subscribed", "\(query.text)")

            // Nothing moved: the other's cursor, status and messages are as they were.
            #expect(try await Exchange.Snapshot.take(bus) == before)
            let still = try #require(try await bus.store.subscription(id: theirs))
            #expect(still.cursor == 0 && still.status == .active)
            #expect(Exchange.sequences(try await Exchange.pull(health, theirs, bus: bus)) == [1, 2])
        }
    }

    @Test("no department reaches queues, dead letters or pause switches, not even of its own subscription; the operator does")
    func queuesAndDeadLetters() async throws {
        try await SecurityBus.run { bus in
            let receiver = try await PushReceiver.start(pki: bus.pki, mode: .status(500))
            defer { Task { await receiver.stop() } }
            let world = try await Exchange.world(bus)
            let civil = try await bus.department(Security.civil)
            let health = try await bus.department(Security.health)
            let pushed = try await PushBus.activeSubscription(health, url: receiver.url)
            try await world.push([EnvelopeBuilder.upsert(Security.record(1))])
            let letters = "/v1/ops/subscriptions/\(pushed)/dead-letters"
            try await PushBus.eventually("the failed push is dead-lettered") {
                try await world.ops.get(letters).json?["deadLetters"]?.arrayValue?.count == 1
            }
            let letter = try #require(try await world.ops.get(letters).json?["deadLetters"]?.arrayValue?.first?["id"]?.stringValue)

            for caller in [civil, health, world.provider, world.steward] {
                for (method, path) in [
                    (HTTPMethod.GET, "/v1/ops/queues"), (.GET, letters), (.POST, "\(letters)/\(letter)/replay"), (.DELETE, "\(letters)/\(letter)"),
                    (.POST, "/v1/ops/subscriptions/\(pushed)/pause"), (.POST, "/v1/ops/subscriptions/\(pushed)/resume"),
                ] {
                    let reply = try await caller.request(method, path, body: method == .GET ? nil : [])
                    #expect(reply.status == 403 && reply.problemCode == "forbidden", "\(method) \(path): \(reply.status) \(reply.text)")
                    #expect(!reply.text.contains(letter))
                }
                let dashboard = try await caller.get("/ui/")
                #expect(dashboard.status == 403 && !dashboard.text.contains(pushed), "\(dashboard.status)")
            }
            // The dead letter is untouched and the queue not paused.
            let after = try await world.ops.get(letters)
            #expect(after.json?["deadLetters"]?.arrayValue?.map { $0["id"]?.stringValue } == [letter], "\(after.text)")
            #expect(try await PushBus.queue(world.ops, pushed)?["paused"] == .bool(false))
            #expect(try await Exchange.audit(world.ops).allSatisfy { !($0["action"]?.stringValue ?? "").hasPrefix("deadletter.") })
            // The operator may act on it.
            #expect(try await world.ops.request(.DELETE, "\(letters)/\(letter)").status == 204)
        }
    }

    private func encode(_ value: JSONValue) throws -> [UInt8] { Array(try JSONEncoder().encode(value)) }
}
