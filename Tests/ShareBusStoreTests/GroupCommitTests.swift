import Foundation
import GRDB
import ShareBusCore
@testable import ShareBusStore
import Synchronization
import Testing

@Suite("Group commit: concurrent writes share one transaction, each answered only after its commit")
struct GroupCommitTests {
    let store: SQLiteStore

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("group-commit-\(UUID().uuidString)").path
        store = try SQLiteStore(directory: directory)
    }

    static func envelope(_ id: String, resource: String, records: Int = 1, payload: String = "p") -> AcceptedEnvelope {
        AcceptedEnvelope(
            id: id, sender: "yc.psb", resource: resource, payloadSHA256: "\(payload)-\(id)",
            operations: (0..<records).map { .init(kind: .upsert, key: "\(id)-\($0)", record: "{\"n\":\($0)}") },
            acceptedAt: Date(timeIntervalSince1970: 1_795_000_000))
    }

    static func audit(_ target: String) -> AuditEvent {
        AuditEvent(at: Date(timeIntervalSince1970: 1_795_000_000), actor: "dept:yc.psb", action: "envelope.accept", target: target)
    }

    func accept(_ envelope: AcceptedEnvelope) async throws -> EnvelopeOutcome {
        try await store.accept(envelope, audit: Self.audit(envelope.resource)) { payload in
            "receipt:\(payload.envelopeId):\(payload.firstSequence)-\(payload.lastSequence):\(payload.auditIndex)"
        }
    }

    /// Holds the database writer until `release` is set, so that what is submitted meanwhile forms one batch.
    func holdWriter(until release: Gate) -> Task<Void, any Error> {
        let writer = store.writer
        return Task {
            try await writer.write { _ in
                while !release.isOpen.load(ordering: .acquiring) { usleep(1_000) }
            }
        }
    }

    final class Gate: Sendable {
        let isOpen = Atomic(false)
        func open() { isOpen.store(true, ordering: .releasing) }
    }

    @Test("200 concurrent envelopes on 4 resources: all durable, every log gap-free, fewer commits than envelopes")
    func concurrentAcceptsAreGapFree() async throws {
        let resources = ["r.a", "r.b", "r.c", "r.d"]
        let outcomes = try await withThrowingTaskGroup(of: EnvelopeOutcome.self) { group in
            for index in 0..<200 {
                let envelope = Self.envelope("e\(index)", resource: resources[index % 4], records: 1 + index % 3)
                group.addTask { try await accept(envelope) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.count == 200)
        for resource in resources {
            let log = try await store.log(resource: resource, after: 0, limit: 10_000)
            #expect(log.map(\.sequence) == Array(1...Int64(log.count)))
            #expect(try await store.head(resource: resource) == Int64(log.count))
        }
        let total = try await resources.asyncMap { try await store.log(resource: $0, after: 0, limit: 10_000).count }.reduce(0, +)
        #expect(total == (0..<200).map { 1 + $0 % 3 }.reduce(0, +))
        #expect(store.writer.batches.load(ordering: .relaxed) < 200)
        let report = try await AuditVerifier(busCertificate: nil).verify(store)
        #expect(report.isIntact)
        #expect(report.entries == 200)
        // Every stored receipt names the audit entry and the sequences its own transaction gave it.
        let indexes = outcomes.compactMap { outcome -> Int64? in
            if case .accepted(_, let payload) = outcome { return payload.auditIndex }
            return nil
        }
        #expect(Set(indexes) == Set(1...200))
    }

    @Test("A refused envelope and a throwing rule in the same batch roll back only themselves")
    func failingRequestsRollBackAlone() async throws {
        _ = try await accept(Self.envelope("first", resource: "r.a"))
        let release = Gate()
        let held = holdWriter(until: release)
        try await Task.sleep(for: .milliseconds(50))
        let before = store.writer.batches.load(ordering: .relaxed)

        // Submitted one after the other (a pause between them), so their order in the batch is known.
        let good1 = Task { try await accept(Self.envelope("g1", resource: "r.a", records: 2)) }
        try await Task.sleep(for: .milliseconds(20))
        let replay = Task { try await accept(Self.envelope("first", resource: "r.a", payload: "other")) }
        try await Task.sleep(for: .milliseconds(20))
        let refused = Task {
            try await store.writeAudited(Self.audit("rule")) { db in
                try db.execute(sql: "UPDATE log_head SET head = 999 WHERE resource = 'r.a'")
                throw ShareBusError.invalidState("refused by its rule")
            }
        }
        try await Task.sleep(for: .milliseconds(20))
        let good2 = Task { try await accept(Self.envelope("g2", resource: "r.a")) }
        try await Task.sleep(for: .milliseconds(50))
        release.open()
        try await held.value

        let first = try await good1.value
        await #expect(throws: ShareBusError.self) { try await replay.value }
        await #expect(throws: ShareBusError.self) { try await refused.value }
        let second = try await good2.value
        guard case .accepted(_, let p1) = first, case .accepted(_, let p2) = second else {
            Issue.record("both good envelopes must be accepted")
            return
        }
        #expect(p1.firstSequence == 2 && p1.lastSequence == 3)
        #expect(p2.firstSequence == 4 && p2.lastSequence == 4)
        #expect(try await store.head(resource: "r.a") == 4)
        // `before` was read while the held write's transaction was still open: it and one more for the four requests.
        #expect(store.writer.batches.load(ordering: .relaxed) == before + 2)
        let report = try await AuditVerifier(busCertificate: nil).verify(store)
        #expect(report.isIntact)
        #expect(report.entries == 3)
        #expect(p2.auditIndex == p1.auditIndex + 1)
    }

    @Test("A COMMIT that fails answers every request of the batch with the error and stores none of them")
    func failedCommitFailsEveryone() async throws {
        let release = Gate()
        let held = holdWriter(until: release)
        try await Task.sleep(for: .milliseconds(50))
        let good = Task { try await accept(Self.envelope("g1", resource: "r.a")) }
        // A deferred foreign key violation is only detected by COMMIT.
        let writer = store.writer
        let poison = Task {
            try await writer.write { db in
            try db.execute(
                sql: """
                    CREATE TEMP TABLE parent (id INTEGER PRIMARY KEY);
                    CREATE TEMP TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);
                    INSERT INTO child (p) VALUES (42);
                    """)
            }
        }
        let other = Task { try await accept(Self.envelope("g2", resource: "r.b")) }
        try await Task.sleep(for: .milliseconds(100))
        release.open()
        try await held.value
        await #expect(throws: (any Error).self) { try await good.value }
        await #expect(throws: (any Error).self) { try await poison.value }
        await #expect(throws: (any Error).self) { try await other.value }
        #expect(try await store.head(resource: "r.a") == 0)
        #expect(try await store.head(resource: "r.b") == 0)
        #expect(try await store.auditHead() == nil)
        // The writer goes on afterwards.
        _ = try await accept(Self.envelope("g3", resource: "r.a"))
        #expect(try await store.head(resource: "r.a") == 1)
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
