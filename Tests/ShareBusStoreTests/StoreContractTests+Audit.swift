import Foundation
import ShareBusCore
import ShareBusStore
import Testing

extension StoreContractTests {
    @Test("audit: one continuous chain across every kind of write, queried by actor, action and subject", arguments: StoreKind.allCases)
    func auditChain(kind: StoreKind) async throws {
        try await kind.withStore { store in
            #expect(try await store.auditHead() == nil)
            try await store.appendAudit(Fixture.audit("records.query", actor: "dept:c1", subject: "digest-1"))
            try await Fixture.accept(Fixture.envelope("e1"), in: store)
            try await store.appendAudit(Fixture.audit("records.query", actor: "dept:c2", subject: "digest-2"))
            try await store.appendAudit(
                AuditEvent(at: Fixture.t0, actor: "dept:c1", action: "verify", target: "r.a", details: ["result": .string("match")], subject: "digest-1"))
            let entries = try await Fixture.verifiedChain(store)
            #expect(entries.count == 4)
            #expect(try await store.auditHead() == entries.last)
            #expect(entries[0].details["subject"] == .string("digest-1") && entries[3].details["result"] == .string("match"))
            #expect(try await store.auditEntries(AuditQuery(actor: "dept:c1")).map(\.index) == [1, 4])
            #expect(try await store.auditEntries(AuditQuery(action: "records.query")).map(\.index) == [1, 3])
            #expect(try await store.auditEntries(AuditQuery(subject: "digest-1")).map(\.index) == [1, 4])
            #expect(try await store.auditEntries(AuditQuery(from: 2, limit: 2)).map(\.index) == [2, 3])
            #expect(try await store.auditEntries(AuditQuery(actor: "dept:c1", action: "verify", subject: "digest-1")).map(\.index) == [4])
        }
    }

    @Test("checkpoints: the head is signed once; nothing new, nothing signed; newest first", arguments: StoreKind.allCases)
    func checkpoints(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let sign: @Sendable (AuditEntry) throws -> Checkpoint = { Checkpoint(index: $0.index, hash: $0.hash, at: "at-\($0.index)", jws: "jws-\($0.index)") }
            #expect(try await store.addCheckpoint(sign) == nil, "an empty log has nothing to sign")
            try await store.appendAudit(Fixture.audit("a"))
            try await store.appendAudit(Fixture.audit("b"))
            let first = try #require(try await store.addCheckpoint(sign))
            let head = try await store.auditHead()
            #expect(first.index == 2 && first.hash == head?.hash)
            #expect(try await store.addCheckpoint(sign) == nil)
            try await store.appendAudit(Fixture.audit("c"))
            let second = try #require(try await store.addCheckpoint(sign))
            #expect(second.index == 3)
            #expect(try await store.checkpoints(limit: 10) == [second, first])
            #expect(try await store.checkpoints(limit: 1) == [second])
            // Signing is not an audited write: the chain holds the three entries only.
            #expect(try await Fixture.verifiedChain(store).count == 3)
        }
    }

    @Test("holder lookup: current records whose upper-cased holderId matches, in key order, limited", arguments: StoreKind.allCases)
    func holderLookup(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Fixture.accept(
                Fixture.envelope("e1", resource: "cert.a", [
                    Fixture.upsert("c3", #"{"holderId":"36090019800101001x","n":3}"#),
                    Fixture.upsert("c1", #"{"holderId":"36090019800101001X","n":1}"#),
                    Fixture.upsert("c2", #"{"holderId":"OTHER","n":2}"#),
                    Fixture.upsert("c4", #"{"n":4}"#),
                ]), in: store)
            try await Fixture.accept(
                Fixture.envelope("e2", resource: "cert.b", [Fixture.upsert("c9", #"{"holderId":"36090019800101001X"}"#)]), in: store)
            let held = try await store.currentRecords(resource: "cert.a", holderId: "36090019800101001X", limit: 10)
            #expect(held == [
                HeldRecord(key: "c1", record: #"{"holderId":"36090019800101001X","n":1}"#, sequence: 2),
                HeldRecord(key: "c3", record: #"{"holderId":"36090019800101001x","n":3}"#, sequence: 1),
            ])
            #expect(try await store.currentRecords(resource: "cert.a", holderId: "36090019800101001X", limit: 1).map(\.key) == ["c1"])
            // A later envelope replaces or deletes: only current records count.
            try await Fixture.accept(
                Fixture.envelope("e3", resource: "cert.a", [Fixture.delete("c1"), Fixture.upsert("c3", #"{"holderId":"OTHER"}"#)]), in: store)
            #expect(try await store.currentRecords(resource: "cert.a", holderId: "36090019800101001X", limit: 10).isEmpty)
            #expect(try await store.currentRecords(resource: "cert.a", holderId: "OTHER", limit: 10).map(\.sequence) == [3, 6])
        }
    }
}
