import Foundation
import ShareBusCore
import ShareBusStore
import Testing

extension StoreContractTests {
    @Test("accept: sequences follow on, the log and current records read back, the receipt names its audit entry", arguments: StoreKind.allCases)
    func acceptAndRead(kind: StoreKind) async throws {
        try await kind.withStore { store in
            #expect(try await store.head(resource: "r.a") == 0)
            let first = try #require(try await Fixture.accept(
                Fixture.envelope("e1", [Fixture.upsert("a", #"{"n":1}"#), Fixture.upsert("b", #"{"n":2}"#)]), in: store).acceptedPayload)
            #expect(first.firstSequence == 1 && first.lastSequence == 2 && first.auditIndex == 1)
            #expect(first.envelopeId == "e1" && first.sender == "p1" && first.resource == "r.a" && first.payloadSha256 == "sha-e1")
            #expect(first.acceptedAt == Timestamp.format(Fixture.t0))
            // Within one envelope the last operation on a key wins.
            let second = try #require(try await Fixture.accept(
                Fixture.envelope("e2", [Fixture.upsert("a", #"{"n":3}"#), Fixture.delete("b"), Fixture.upsert("c", #"{"n":4}"#),
                    Fixture.delete("c")]), in: store).acceptedPayload)
            #expect(second.firstSequence == 3 && second.lastSequence == 6 && second.auditIndex == 2)
            #expect(try await store.head(resource: "r.a") == 6)
            let log = try await store.log(resource: "r.a", after: 0, limit: 100)
            #expect(log.map(\.sequence) == [1, 2, 3, 4, 5, 6])
            #expect(log.map(\.op) == ["upsert", "upsert", "upsert", "delete", "upsert", "delete"])
            #expect(log.map(\.key) == ["a", "b", "a", "b", "c", "c"])
            #expect(log[3].record == nil && log[2].record == #"{"n":3}"#)
            #expect(log.allSatisfy { $0.sender == "p1" && $0.acceptedAt == Timestamp.format(Fixture.t0) })
            #expect(log.map(\.envelopeId) == ["e1", "e1", "e2", "e2", "e2", "e2"])
            #expect(try await store.log(resource: "r.a", after: 4, limit: 1).map(\.sequence) == [5])
            #expect(try await store.currentRecord(resource: "r.a", key: "a") == #"{"n":3}"#)
            #expect(try await store.currentRecord(resource: "r.a", key: "b") == nil)
            #expect(try await store.currentRecord(resource: "r.a", key: "c") == nil)
            // Resources keep logs of their own.
            let other = try #require(try await Fixture.accept(Fixture.envelope("e3", resource: "r.b"), in: store).acceptedPayload)
            #expect(other.firstSequence == 1 && other.auditIndex == 3)
            let entries = try await Fixture.verifiedChain(store)
            #expect(entries.map(\.action) == ["envelope.accept", "envelope.accept", "envelope.accept"])
            #expect(entries[1].details["firstSequence"] == .integer(3) && entries[1].details["lastSequence"] == .integer(6))
        }
    }

    @Test("a delete keeps the record text it comes with (the sealed clear key of an L3/L4 key), or none", arguments: StoreKind.allCases)
    func deleteKeepsItsRecordText(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let sealedKey = #"{"$key":"sb1.k1.token","$sealed":[]}"#
            try await Fixture.accept(
                Fixture.envelope(
                    "e1",
                    [
                        Fixture.upsert("d1", #"{"n":1}"#), .init(kind: .delete, key: "d1", record: sealedKey), Fixture.delete("d2"),
                    ]), in: store)
            let log = try await store.log(resource: "r.a", after: 0, limit: 10)
            #expect(log.map(\.op) == ["upsert", "delete", "delete"])
            #expect(log[1].record == sealedKey, "the delivery of the delete needs the sealed clear key")
            #expect(log[2].record == nil)
            #expect(try await store.currentRecord(resource: "r.a", key: "d1") == nil)
        }
    }

    @Test("a duplicate answers the original receipt and writes nothing; another payload under the same id is refused", arguments: StoreKind.allCases)
    func duplicatesAndReplays(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Fixture.accept(Fixture.envelope("e1"), in: store)
            let existing = try #require(try await store.existingEnvelope(sender: "p1", id: "e1"))
            #expect(existing.payloadSHA256 == "sha-e1" && existing.receipt == "receipt:e1:1-1:1")
            #expect(try await store.existingEnvelope(sender: "p2", id: "e1") == nil)
            let again = try await Fixture.accept(Fixture.envelope("e1"), in: store)
            #expect(again.duplicateReceipt == "receipt:e1:1-1:1")
            let error = await #expect(throws: ShareBusError.self) {
                try await Fixture.accept(Fixture.envelope("e1", payload: "another"), in: store)
            }
            #expect(error?.code == .replayedEnvelope)
            // Another resource, same id: still the same envelope of the same sender.
            await #expect(throws: ShareBusError.self) {
                try await Fixture.accept(Fixture.envelope("e1", resource: "r.b", payload: "another"), in: store)
            }
            // The same id from another sender is another envelope.
            #expect(try await Fixture.accept(Fixture.envelope("e1", sender: "p2"), in: store).acceptedPayload?.firstSequence == 2)
            #expect(try await store.head(resource: "r.a") == 2)
            #expect(try await store.head(resource: "r.b") == 0)
            #expect(try await Fixture.verifiedChain(store).count == 2)
        }
    }

    @Test("concurrent accepts on one resource: a gap-free order matching the receipts", arguments: StoreKind.allCases)
    func concurrentOrdering(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let payloads = try await withThrowingTaskGroup(of: ReceiptPayload?.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        let operations = (0...(index % 3)).map { Fixture.upsert("k\(index)-\($0)", #"{"i":\#(index)}"#) }
                        return try await Fixture.accept(Fixture.envelope("c\(index)", operations), in: store).acceptedPayload
                    }
                }
                return try await group.reduce(into: [ReceiptPayload]()) { if let payload = $1 { $0.append(payload) } }
            }
            #expect(payloads.count == 40)
            let log = try await store.log(resource: "r.a", after: 0, limit: 1000)
            #expect(log.map(\.sequence) == Array(1...Int64(log.count)))
            for payload in payloads {
                let range = log.filter { $0.envelopeId == payload.envelopeId }.map(\.sequence)
                #expect(range == Array(payload.firstSequence...payload.lastSequence))
            }
            #expect(Set(payloads.map(\.auditIndex)) == Set(1...40))
            try await Fixture.verifiedChain(store)
        }
    }
}
