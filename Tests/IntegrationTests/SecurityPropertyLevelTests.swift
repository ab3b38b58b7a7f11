import Foundation
import NIOHTTP1
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import Testing

/// Property-level authorization (OWASP API3): a consumer granted `name` of base.population gets
/// `idNumber` (the primary key) and `name` by every path and nothing else; operators and auditors
/// get no record value and no primary key at all. The ungranted fields hold distinctive values
/// (`Security.secretAddress`, `Security.secretBirthDate`) that are searched for in every answer.
@Suite("Security: property-level authorization")
struct SecurityPropertyLevelTests {
    static let granted: Set<String> = ["idNumber", "name"]

    /// The JSON text of a value, to search for leaked strings.
    static func text(_ value: JSONValue?) -> String {
        guard let value, let data = try? JSONEncoder().encode(value) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    static func expectGrantedOnly(_ payload: JSONValue?, _ path: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let messages = Exchange.messages(payload)
        #expect(!messages.isEmpty, "\(path): no messages", sourceLocation: sourceLocation)
        for message in messages {
            let fields = Set(message["record"]?.objectValue?.keys.map { $0 } ?? [])
            #expect(fields == granted, "\(path) delivered \(fields.sorted())", sourceLocation: sourceLocation)
        }
        #expect(Security.leaks(in: text(payload)) == [], "\(path) leaks", sourceLocation: sourceLocation)
    }

    @Test("pull, push, query, verification answers and subscription views carry only granted fields")
    func consumers() async throws {
        try await SecurityBus.run { bus in
            let receiver = try await PushReceiver.start(pki: bus.pki)
            defer { Task { await receiver.stop() } }
            let world = try await Exchange.world(bus)
            let civil = try await bus.department(Security.civil)
            let health = try await bus.department(Security.health)
            // Asked for more than granted is impossible on an unconditional resource, so ask for `name` only.
            let pulled = try await Exchange.activeSubscription(civil, fields: ["name"], permissions: ["pull", "query", "verify"])
            let pushed = try await PushBus.activeSubscription(health, url: receiver.url, fields: ["name"])
            try await world.push([EnvelopeBuilder.upsert(Security.record(1)), EnvelopeBuilder.upsert(Security.record(2))])

            Self.expectGrantedOnly(try await Exchange.pull(civil, pulled, bus: bus), "pull")
            let received = try await receiver.waitFor(1)
            Self.expectGrantedOnly(try PushBus.delivery(received[0], bus: bus), "push")

            let query = try await civil.get("/v1/resources/\(Exchange.code)/records/\(Exchange.citizenID(1))")
            #expect(query.status == 200, "\(query.text)")
            #expect(Set(query.json?["record"]?.objectValue?.keys.map { $0 } ?? []) == Self.granted, "\(query.text)")
            #expect(Security.leaks(in: query.text) == [])

            // Verification: an ungranted field cannot be tested at all; a granted one answers
            // match or mismatch and never the stored value.
            func verify(_ claims: [String: JSONValue]) async throws -> TestClient.Reply {
                try await civil.post(
                    "/v1/verify",
                    json: .object([
                        "resource": .string(Exchange.code), "key": .string(Exchange.citizenID(1)), "claims": .object(claims),
                        "purpose": .string("依法履职核验"),
                    ]))
            }
            let ungranted = try await verify(["address": .string("猜测的地址")])
            #expect(ungranted.problemCode == "field-not-granted", "\(ungranted.text)")
            let wrong = try await verify(["name": .string("错误姓名")])
            #expect(wrong.status == 200 && wrong.json?["result"]?.stringValue == "mismatch", "\(wrong.text)")
            let right = try await verify(["name": .string("\(Security.grantedName)1")])
            #expect(right.json?["result"]?.stringValue == "match", "\(right.text)")
            for reply in [ungranted, wrong, right] {
                #expect(Security.leaks(in: reply.text, includingGranted: true).filter { $0 != Security.grantedName } == [])
                #expect(!wrong.text.contains(Security.grantedName), "a mismatch names the stored value: \(wrong.text)")
            }

            // Subscription views hold no record values at all.
            for path in ["/v1/subscriptions/\(pulled)", "/v1/subscriptions", "/v1/subscriptions?status=active"] {
                let view = try await civil.get(path)
                #expect(view.status == 200)
                #expect(Security.leaks(in: view.text, keys: [Exchange.citizenID(1)], includingGranted: true) == [], "\(path): \(view.text)")
            }
        }
    }

    @Test("operator and auditor views (queues, dead letters, dashboard, audit log, metrics) show no record value and no primary key")
    func operatorsAndAuditors() async throws {
        try await SecurityBus.run { bus in
            let receiver = try await PushReceiver.start(pki: bus.pki, mode: .status(500))
            defer { Task { await receiver.stop() } }
            let world = try await Exchange.world(bus)
            let civil = try await bus.department(Security.civil)
            let health = try await bus.department(Security.health)
            let auditor = try await bus.auditor("audit01")
            let pulled = try await Exchange.activeSubscription(civil, fields: ["name"], permissions: ["pull", "query", "verify"])
            let pushed = try await PushBus.activeSubscription(health, url: receiver.url, fields: ["name"])
            try await world.push([EnvelopeBuilder.upsert(Security.record(1)), EnvelopeBuilder.upsert(Security.record(2))])
            try await world.push([EnvelopeBuilder.delete(Exchange.citizenID(2))])
            let letters = "/v1/ops/subscriptions/\(pushed)/dead-letters"
            try await PushBus.eventually("a dead letter") { try await world.ops.get(letters).json?["deadLetters"]?.arrayValue?.isEmpty == false }
            // Reads that are audited with a data subject: pull, query, verification.
            _ = try await Exchange.pull(civil, pulled, bus: bus)
            #expect(try await civil.get("/v1/resources/\(Exchange.code)/records/\(Exchange.citizenID(1))").status == 200)
            _ = try await civil.post(
                "/v1/verify",
                json: .object([
                    "resource": .string(Exchange.code), "key": .string(Exchange.citizenID(1)), "claims": .object(["name": .string("x")]),
                    "purpose": .string("依法履职核验"),
                ]))

            let keys = [Exchange.citizenID(1), Exchange.citizenID(2)]
            let views: [(String, TestClient, String)] = [
                ("queues", world.ops, "/v1/ops/queues"), ("dead letters", world.ops, letters),
                ("dashboard", world.ops, "/ui/"), ("dashboard (English)", world.ops, "/ui/?lang=en"),
                ("confirm page", world.ops, "/ui/confirm?action=pause&subscription=\(pushed)"),
                ("operator audit", world.ops, "/v1/audit?limit=1000"), ("auditor audit", auditor, "/v1/audit?limit=1000"),
                ("checkpoints", auditor, "/v1/audit/checkpoints"), ("metrics", world.ops, "/metrics"),
                ("subscriptions (operator)", world.ops, "/v1/subscriptions?limit=1000"),
            ]
            for (name, client, path) in views {
                let reply = try await client.get(path)
                #expect(reply.status == 200, "\(name): \(reply.status) \(reply.text.prefix(200))")
                #expect(Security.leaks(in: reply.text, keys: keys, includingGranted: true) == [], "\(name) shows record data")
            }
            // The dashboard on the local listener (operator `localhost`) likewise.
            let local = try await LocalHTTP.request(.GET, bus.localURL + "/ui/").body
            #expect(local.contains(pushed), "the local dashboard lists the queue")
            #expect(Security.leaks(in: local, keys: keys, includingGranted: true) == [])
            // The audit log names the data subject of a query or verification only by a keyed digest.
            let entries = try await Exchange.audit(world.ops)
            let query = try #require(entries.first { $0["action"]?.stringValue == "record.query" })
            #expect(query["details"]?["subject"]?.stringValue?.count == 64, "\(Self.text(query))")
        }
    }
}
