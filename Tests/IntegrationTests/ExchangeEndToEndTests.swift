import Crypto
import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore
import ShareBusTesting
import Testing

@Suite("Exchange end to end over HTTPS")
struct ExchangeEndToEndOnBothStores {
    @Test("a provider pushes, two consumers pull their own fields in order, acknowledge, and query", arguments: TestStore.allCases)
    func endToEnd(store: TestStore) async throws {
        try await TestBus.run(store: store) { bus in
            let world = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            let civil = try await bus.department(Exchange.civil)
            let taxID = try await Exchange.activeSubscription(tax, fields: ["name", "gender"], permissions: ["pull", "query"])
            let civilID = try await Exchange.activeSubscription(civil, fields: ["birthDate"])

            let people = (1...3).map { Exchange.record($0) }
            let renamed = Exchange.record(1, name: Exchange.distinctiveName)
            try await world.push(people.map(EnvelopeBuilder.upsert))
            try await world.push([EnvelopeBuilder.upsert(renamed), EnvelopeBuilder.delete(Exchange.citizenID(2))])
            // The log, as every consumer must see it: sequence, op, key, full record.
            let log: [(Int64, String, String, [String: JSONValue]?)] = [
                (1, "upsert", Exchange.citizenID(1), people[0]), (2, "upsert", Exchange.citizenID(2), people[1]),
                (3, "upsert", Exchange.citizenID(3), people[2]), (4, "upsert", Exchange.citizenID(1), renamed),
                (5, "delete", Exchange.citizenID(2), nil),
            ]

            for (client, id, visible) in [(tax, taxID, ["idNumber", "name", "gender"]), (civil, civilID, ["idNumber", "birthDate"])] {
                let payload = try await Exchange.pull(client, id, bus: bus)
                #expect(payload?["subscription"]?.stringValue == id)
                #expect(payload?["resource"]?.stringValue == Exchange.code)
                #expect(payload?["nextCursor"] == .integer(5))
                let messages = Exchange.messages(payload)
                #expect(Exchange.sequences(payload) == [1, 2, 3, 4, 5], "from 1, in order, without gaps")
                for (message, expected) in zip(messages, log) {
                    #expect(message["op"]?.stringValue == expected.1)
                    #expect(message["key"]?.stringValue == expected.2)
                    #expect(message["sender"]?.stringValue == Fixture.psb.id)
                    #expect(message["envelopeId"]?.stringValue?.isEmpty == false)
                    #expect(message["acceptedAt"]?.stringValue.flatMap(Formats.parseDateTime) != nil)
                    if let full = expected.3 {
                        let record = try #require(message["record"]?.objectValue)
                        #expect(Set(record.keys) == Set(visible), "\(client.credential!.certificate.subjectCommonName!) sees only its grant")
                        for name in visible { #expect(record[name] == full[name]) }
                    } else {
                        #expect(message["record"]?.isNull == true, "a delete carries no record")
                    }
                }
            }

            // Nothing moves until acknowledged: the same pull answers the same messages.
            let again = try await Exchange.pull(civil, civilID, bus: bus)
            #expect(Exchange.sequences(again) == [1, 2, 3, 4, 5])
            let twice = try await Exchange.pull(civil, civilID, bus: bus)
            #expect(Exchange.messages(twice) == Exchange.messages(again))

            // A fresh consumer walks the log in pages and acknowledges as it goes.
            let health = try await bus.department(Exchange.health)
            let healthID = try await Exchange.activeSubscription(health, fields: ["name"])
            let page = try await Exchange.pull(health, healthID, query: "limit=2", bus: bus)
            #expect(Exchange.sequences(page) == [1, 2])
            #expect(page?["nextCursor"] == .integer(2))
            let beyond = try await Exchange.ack(health, healthID, 3)
            #expect(beyond.status == 409, "sequence 3 exists but was never delivered")
            #expect(beyond.problemCode == "ack-out-of-range")
            let acked = try await Exchange.ack(health, healthID, 2)
            #expect(acked.status == 200, "\(acked.text)")
            #expect(acked.json?["cursor"] == .integer(2))
            #expect(try await health.get("/v1/subscriptions/\(healthID)").json?["cursor"] == .integer(2))
            let rest = try await Exchange.pull(health, healthID, bus: bus)
            #expect(Exchange.sequences(rest) == [3, 4, 5], "acknowledged messages do not return")
            #expect(Exchange.sequences(try await Exchange.pull(health, healthID, bus: bus)) == [3, 4, 5], "unacknowledged ones do")
            let backwards = try await Exchange.ack(health, healthID, 1)
            #expect(backwards.status == 409)
            #expect(backwards.problemCode == "ack-out-of-range")
            let past = try await Exchange.ack(health, healthID, 6)
            #expect(past.status == 409)
            #expect(past.problemCode == "ack-out-of-range")
            #expect(try await Exchange.ack(health, healthID, 5).status == 200)
            let drained = try await Exchange.pull(health, healthID, bus: bus)
            #expect(Exchange.messages(drained).isEmpty)
            #expect(drained?["nextCursor"] == .integer(5))
            #expect(try await health.get("/v1/subscriptions/\(healthID)").json?["cursor"] == .integer(5))
            // Another consumer's acknowledgement moved nothing of tax's.
            #expect(try await tax.get("/v1/subscriptions/\(taxID)").json?["cursor"] == .integer(0))

            // Query: the current record, granted fields only.
            let current = try await tax.get("/v1/resources/\(Exchange.code)/records/\(Exchange.citizenID(1))")
            #expect(current.status == 200, "\(current.text)")
            let record = try #require(current.json?["record"]?.objectValue)
            #expect(record == ["idNumber": renamed["idNumber"]!, "name": renamed["name"]!, "gender": renamed["gender"]!])
            #expect(
                try await tax.get("/v1/resources/\(Exchange.code)/records/\(Exchange.citizenID(3))").json?["record"]?["name"]
                    == people[2]["name"])
            let deleted = try await tax.get("/v1/resources/\(Exchange.code)/records/\(Exchange.citizenID(2))")
            #expect(deleted.status == 404)
            #expect(deleted.problemCode == "record-not-found")
            let noQuery = try await civil.get("/v1/resources/\(Exchange.code)/records/\(Exchange.citizenID(1))")
            #expect(noQuery.status == 403)
            #expect(noQuery.problemCode == "not-subscribed")
            #expect(!noQuery.text.contains(Exchange.distinctiveName))
        }
    }

    @Test("the receipt is a bus-signed JWS with exactly the protocol's members", arguments: TestStore.allCases)
    func receipt(store: TestStore) async throws {
        try await TestBus.run(store: store) { bus in
            let world = try await Exchange.world(bus)
            let id = UUID()
            let message = EnvelopeBuilder.message(
                id: id, sender: Fixture.psb.id, resource: Exchange.code,
                operations: [EnvelopeBuilder.upsert(Exchange.record(1)), EnvelopeBuilder.upsert(Exchange.record(2))])
            let payload = try CanonicalJSON.serialize(message)
            let before = Date()
            let reply = try await world.provider.push(try world.builder.envelope(payload: payload))
            #expect(reply.status == 201, "\(reply.text)")
            #expect(reply.header("content-type") == "application/jose+json")

            let receipt = try bus.verifyReply(reply.body, type: BusSigner.receiptType)
            #expect(receipt.header.type == "sharebus-receipt+jws")
            #expect(receipt.header.algorithm == .es256)
            let members = try #require(receipt.payload.objectValue)
            #expect(
                Set(members.keys)
                    == ["envelopeId", "sender", "resource", "payloadSha256", "firstSequence", "lastSequence", "auditIndex", "acceptedAt"])
            #expect(members["envelopeId"]?.stringValue == id.uuidString.lowercased())
            #expect(members["sender"]?.stringValue == Fixture.psb.id)
            #expect(members["resource"]?.stringValue == Exchange.code)
            #expect(members["payloadSha256"]?.stringValue == Hex.encode(SHA256.hash(data: payload)))
            #expect(members["firstSequence"] == .integer(1))
            #expect(members["lastSequence"] == .integer(2))
            let acceptedAt = try #require(members["acceptedAt"]?.stringValue.flatMap(Formats.parseDateTime))
            #expect(acceptedAt >= before.addingTimeInterval(-1) && acceptedAt <= Date().addingTimeInterval(1))

            guard case .integer(let auditIndex) = members["auditIndex"] else {
                Issue.record("auditIndex is not an integer: \(String(describing: members["auditIndex"]))")
                return
            }
            let entries = try await world.ops.get("/v1/audit?from=\(auditIndex)&limit=1").json?["entries"]?.arrayValue ?? []
            let entry = try #require(entries.first)
            #expect(entry["index"] == .integer(auditIndex))
            #expect(entry["action"]?.stringValue == "envelope.accept")
            #expect(entry["actor"]?.stringValue == "dept:yc.psb")
            #expect(entry["target"]?.stringValue == Exchange.code)
            #expect(entry["details"]?["envelopeId"]?.stringValue == id.uuidString.lowercased())

            // The next envelope continues the log.
            let next = try await world.push([EnvelopeBuilder.upsert(Exchange.record(3))])
            let nextReceipt = try bus.verifyReply(next.body, type: BusSigner.receiptType).payload
            #expect(nextReceipt["firstSequence"] == .integer(3))
            #expect(nextReceipt["lastSequence"] == .integer(3))
            if case .integer(let nextIndex) = nextReceipt["auditIndex"] { #expect(nextIndex > auditIndex) }
        }
    }

    @Test("envelopes pushed at once get distinct, gapless sequences; copies of one envelope are accepted once", arguments: TestStore.allCases)
    func concurrentPushes(store: TestStore) async throws {
        try await TestBus.run(store: store) { bus in
            let world = try await Exchange.world(bus)
            let bodies = try (1...8).map { n in
                try world.envelope([EnvelopeBuilder.upsert(Exchange.record(2 * n)), EnvelopeBuilder.upsert(Exchange.record(2 * n + 1))])
            }
            let replies = try await withThrowingTaskGroup(of: TestClient.Reply.self) { group in
                for body in bodies { group.addTask { try await world.provider.push(body) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.map(\.status) == Array(repeating: 201, count: 8))
            var ranges: [(Int64, Int64)] = []
            for reply in replies {
                let receipt = try bus.verifyReply(reply.body, type: BusSigner.receiptType).payload
                if case .integer(let first) = receipt["firstSequence"], case .integer(let last) = receipt["lastSequence"] {
                    ranges.append((first, last))
                }
            }
            ranges.sort { $0.0 < $1.0 }
            #expect(ranges.map(\.0) == Array(stride(from: Int64(1), through: 15, by: 2)), "each envelope's operations stay together")
            #expect(ranges.map(\.1) == Array(stride(from: Int64(2), through: 16, by: 2)))

            let copy = try world.envelope([EnvelopeBuilder.upsert(Exchange.record(99))])
            let copies = try await withThrowingTaskGroup(of: TestClient.Reply.self) { group in
                for _ in 1...6 { group.addTask { try await world.provider.push(copy) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(copies.map(\.status).sorted() == [200, 200, 200, 200, 200, 201])
            #expect(Set(copies.map(\.body)).count == 1, "every copy answers the one receipt")
            #expect(try await bus.store.head(resource: Exchange.code) == 17)
            #expect(try await Exchange.audit(world.ops, action: "envelope.accept").count == 9)
        }
    }

    @Test("the same envelope again answers the original receipt; the same id with another payload is refused", arguments: TestStore.allCases)
    func idempotency(store: TestStore) async throws {
        let clock = ManualClock(Date())
        try await TestBus.run(store: store, clock: clock) { bus in
            let world = try await Exchange.world(bus)
            let id = UUID()
            let message = EnvelopeBuilder.message(
                id: id, sender: Fixture.psb.id, resource: Exchange.code, createdAt: clock.now(),
                operations: [EnvelopeBuilder.upsert(Exchange.record(1))])
            let body = try world.builder.envelope(message)
            let first = try await world.provider.push(body)
            #expect(first.status == 201, "\(first.text)")
            let accepted = try await Exchange.Snapshot.take(bus)
            #expect(accepted.heads[Exchange.code] == 1)

            let again = try await world.provider.push(body)
            #expect(again.status == 200, "\(again.text)")
            #expect(again.header("content-type") == "application/jose+json")
            #expect(again.body == first.body, "byte-identical receipt")
            #expect(try await Exchange.Snapshot.take(bus) == accepted, "no new log or audit entries")

            // Signed afresh (ECDSA signatures differ each time), same payload: still the same envelope.
            let resigned = try await world.provider.push(try world.builder.envelope(message))
            #expect(resigned.status == 200, "\(resigned.text)")
            #expect(resigned.body == first.body)

            // Even once createdAt has aged past the allowed skew.
            clock.advance(by: 600)
            let late = try await world.provider.push(body)
            #expect(late.status == 200, "\(late.text)")
            #expect(late.body == first.body)
            #expect(try await Exchange.Snapshot.take(bus) == accepted)

            let changed = EnvelopeBuilder.message(
                id: id, sender: Fixture.psb.id, resource: Exchange.code, createdAt: clock.now(),
                operations: [EnvelopeBuilder.upsert(Exchange.record(2))])
            let replayed = try await world.provider.push(try world.builder.envelope(changed))
            #expect(replayed.status == 409, "\(replayed.text)")
            #expect(replayed.problemCode == "replayed-envelope")
            #expect(try await Exchange.Snapshot.take(bus) == accepted)
            #expect(try await bus.store.currentRecord(resource: Exchange.code, key: Exchange.citizenID(2)) == nil)
        }
    }
}
