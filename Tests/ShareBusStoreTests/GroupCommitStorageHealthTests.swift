import Foundation
import GRDB
import ShareBusCore
@testable import ShareBusStore
import Testing

@Suite("After an I/O error the store stops writing until restarted; a full disk only refuses while it lasts")
struct GroupCommitStorageHealthTests {
    @Test("The latch: the first I/O error latches, a full disk and other errors never do")
    func latchStateMachine() {
        var health = StorageHealth()
        #expect(health.acceptsWrites)
        #expect(health.record(.diskFull) == .refuseThisWrite)
        #expect(health.record(.other) == .none)
        #expect(health.acceptsWrites)
        #expect(health.record(.ioError("SQLITE_IOERR_FSYNC")) == .latchAndRefuse(reason: "SQLITE_IOERR_FSYNC"))
        #expect(!health.acceptsWrites)
        // Latched once: later failures neither unlatch nor log the restart line again.
        #expect(health.record(.ioError("SQLITE_IOERR_WRITE")) == .refuseThisWrite)
        #expect(health.record(.diskFull) == .refuseThisWrite)
        #expect(health.latchedReason == "SQLITE_IOERR_FSYNC")
    }

    @Test("SQLite's result codes map to the latch's failures by primary code", arguments: [
        (ResultCode.SQLITE_IOERR_FSYNC, true), (.SQLITE_IOERR_WRITE, true), (.SQLITE_IOERR, true), (.SQLITE_FULL, false),
        (.SQLITE_BUSY, false), (.SQLITE_CONSTRAINT, false),
    ])
    func resultCodes(code: ResultCode, latches: Bool) {
        let failure = SQLiteStore.failure(DatabaseError(resultCode: code))
        if case .ioError = failure { #expect(latches) } else { #expect(!latches) }
        #expect((failure == .diskFull) == (code == .SQLITE_FULL))
    }

    func store() throws -> SQLiteStore {
        try SQLiteStore(directory: FileManager.default.temporaryDirectory.appendingPathComponent("health-\(UUID().uuidString)").path)
    }

    func appendAudit(_ store: SQLiteStore) async throws {
        try await store.appendAudit(AuditEvent(at: Date(), actor: "system:test", action: "test.write", target: "t"))
    }

    @Test("An I/O error from a write: 503 storage-unavailable, every later write refused, not ready, nothing more written")
    func ioErrorLatchesTheStore() async throws {
        let store = try store()
        try await appendAudit(store)
        #expect(await store.isReady)
        let error = await #expect(throws: ShareBusError.self) {
            try await store.mapErrors { () async throws -> Void in throw DatabaseError(resultCode: .SQLITE_IOERR_FSYNC) }
        }
        #expect(error?.code == .storageUnavailable)
        #expect(error?.code.status == 503)
        #expect(!(await store.isReady))
        let later = await #expect(throws: ShareBusError.self) { try await appendAudit(store) }
        #expect(later?.code == .storageUnavailable)
        let envelope = AcceptedEnvelope(
            id: "e1", sender: "yc.psb", resource: "r.a", payloadSHA256: "x", operations: [.init(kind: .upsert, key: "k", record: "{}")],
            acceptedAt: Date())
        await #expect(throws: ShareBusError.self) {
            _ = try await store.accept(envelope, audit: AuditEvent(at: Date(), actor: "a", action: "b", target: "c")) { _ in "r" }
        }
        // Reads still answer, and show that nothing was written after the latch.
        #expect(try await store.auditHead()?.index == 1)
        #expect(try await store.head(resource: "r.a") == 0)
        // A restart (reopening the file) is the way back.
        let reopened = try SQLiteStore(directory: (store.path as NSString).deletingLastPathComponent)
        #expect(await reopened.isReady)
        try await appendAudit(reopened)
        #expect(try await reopened.auditHead()?.index == 2)
    }

    @Test("A full disk: 503 while it lasts, the next write succeeds by itself")
    func diskFullIsNotLatched() async throws {
        let store = try store()
        let error = await #expect(throws: ShareBusError.self) {
            try await store.mapErrors { () async throws -> Void in throw DatabaseError(resultCode: .SQLITE_FULL) }
        }
        #expect(error?.code == .storageUnavailable)
        #expect(await store.isReady)
        try await appendAudit(store)
        #expect(try await store.auditHead()?.index == 1)
    }

    @Test("An I/O error inside a batch fails every request of it, latches, and none of them is stored")
    func ioErrorInsideABatch() async throws {
        let store = try store()
        let first = Task { try await appendAudit(store) }
        let failing = Task {
            try await store.writeAudited(AuditEvent(at: Date(), actor: "a", action: "b", target: "c")) { _ in
                throw DatabaseError(resultCode: .SQLITE_IOERR_WRITE)
            }
        }
        await #expect(throws: ShareBusError.self) { try await failing.value }
        _ = try? await first.value
        #expect(!(await store.isReady))
        // Whatever shared the failing request's transaction was rolled back with it.
        let stored = try await store.auditHead()?.index ?? 0
        #expect(stored <= 1)
    }
}
