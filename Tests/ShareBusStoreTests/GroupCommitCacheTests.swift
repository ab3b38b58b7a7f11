import Foundation
import ShareBusCore
@testable import ShareBusStore
import Testing

@Suite("Store caches: a committed change is seen by the very next read, a rolled-back or unrelated write keeps them")
struct GroupCommitCacheTests {
    let store: SQLiteStore

    init() throws {
        store = try SQLiteStore(directory: FileManager.default.temporaryDirectory.appendingPathComponent("caches-\(UUID().uuidString)").path, cachesReads: true, watchesOtherProcesses: false)
    }

    static let audit = AuditEvent(at: Date(timeIntervalSince1970: 1_795_000_000), actor: "system:test", action: "test", target: "t")

    func record(_ serial: String) -> CertificateRecord {
        CertificateRecord(
            serial: serial, fingerprint: "f-\(serial)", principal: "urn:sharebus:dept:yc.psb", kind: .client,
            notBefore: Date(timeIntervalSince1970: 1_700_000_000), notAfter: Date(timeIntervalSince1970: 1_900_000_000), pem: "PEM",
            revokedAt: nil, revocationReason: nil)
    }

    /// Reads through the identity cache, counting the loads that reached the store.
    func cachedCertificate(_ fingerprint: String, loads: inout Int) async throws -> CertificateRecord? {
        var loaded = false
        let identity = try await store.storeCaches.identities.value(for: fingerprint) {
            loaded = true
            return StoreCaches.Identity(certificate: try await store.certificate(fingerprint: fingerprint), department: nil)
        }
        if loaded { loads += 1 }
        return identity.certificate
    }

    @Test("caching is off unless asked for")
    func offByDefault() throws {
        let shared = try SQLiteStore(directory: FileManager.default.temporaryDirectory.appendingPathComponent("caches-\(UUID().uuidString)").path)
        #expect(shared.caches == nil)
        #expect(store.caches != nil)
    }

    @Test("a revocation is seen by the next read; reads in between come from the cache")
    func revocationInvalidates() async throws {
        try await store.recordCertificate(record("aa"), audit: Self.audit)
        var loads = 0
        #expect(try await cachedCertificate("f-aa", loads: &loads)?.revokedAt == nil)
        #expect(try await cachedCertificate("f-aa", loads: &loads)?.revokedAt == nil)
        #expect(loads == 1)
        // Audit-only writes and envelopes touch no cached table.
        try await store.appendAudit(Self.audit)
        #expect(try await cachedCertificate("f-aa", loads: &loads) != nil)
        #expect(loads == 1)
        _ = try await store.revokeCertificate(serial: "aa", reason: "keyCompromise", audit: Self.audit)
        #expect(try await cachedCertificate("f-aa", loads: &loads)?.revokedAt != nil)
        #expect(loads == 2)
    }

    @Test("a write refused inside its savepoint leaves the generations alone only if nothing committed")
    func generationsFollowCommits() async throws {
        let generations = store.storeCaches.generations
        let before = generations.current(.identity)
        try await store.recordCertificate(record("bb"), audit: Self.audit)
        #expect(generations.current(.identity) == before + 1)
        #expect(generations.current(.catalog) == 0)
        #expect(generations.current(.subscriptions) == 0)
        // A duplicate serial fails on its constraint: nothing committed for it... but the batch's
        // COMMIT may still bump (conservative); it never goes backwards.
        await #expect(throws: (any Error).self) { try await store.recordCertificate(record("bb"), audit: Self.audit) }
        #expect(generations.current(.identity) >= before + 1)
    }
}
