import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusPostgres
import ShareBusStore
import ShareBusTesting
import Testing

/// The store implementations the contract suite runs against, each test on a fresh store.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    typealias Store = any ShareBusStore & HolderRecordStore

    /// Opens a fresh, empty store of this kind, runs `body`, and closes and removes the store.
    func withStore<T: Sendable>(_ body: (Store) async throws -> T) async throws -> T {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sharebus-contract-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: directory) }
            return try await body(try SQLiteStore(directory: directory))
        case .postgres:
            let url = try await PostgresCluster.shared().makeDatabase()
            let store = try await PostgresStore.open(url: url)
            do {
                let value = try await body(store)
                await store.close()
                return value
            } catch {
                await store.close()
                throw error
            }
        }
    }
}

/// Fixtures shared by the contract tests.
enum Fixture {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func audit(_ action: String, target: String = "t", actor: String = "system:test", subject: String? = nil) -> AuditEvent {
        AuditEvent(at: t0, actor: actor, action: action, target: target, subject: subject)
    }

    static func envelope(
        _ id: String, resource: String = "r.a", sender: String = "p1", payload: String? = nil,
        _ operations: [AcceptedEnvelope.Operation]? = nil
    ) -> AcceptedEnvelope {
        AcceptedEnvelope(
            id: id, sender: sender, resource: resource, payloadSHA256: payload ?? "sha-\(id)",
            operations: operations ?? [.init(kind: .upsert, key: "k-\(id)", record: #"{"k":"k-\#(id)"}"#)], acceptedAt: t0)
    }

    static func upsert(_ key: String, _ record: String) -> AcceptedEnvelope.Operation { .init(kind: .upsert, key: key, record: record) }
    static func delete(_ key: String) -> AcceptedEnvelope.Operation { .init(kind: .delete, key: key, record: nil) }

    /// Accepts with a receipt that names what the store handed out, so tests can read it back.
    @discardableResult
    static func accept(_ envelope: AcceptedEnvelope, in store: StoreKind.Store) async throws -> EnvelopeOutcome {
        try await store.accept(envelope, audit: audit("envelope.accept", target: envelope.resource, actor: "dept:\(envelope.sender)")) {
            "receipt:\($0.envelopeId):\($0.firstSequence)-\($0.lastSequence):\($0.auditIndex)"
        }
    }

    static func subscription(
        _ id: String, consumer: String = "c1", resource: String = "r.a", status: Subscription.Status = .active,
        delivery: Subscription.Delivery = .pull
    ) -> Subscription {
        Subscription(
            id: id, consumer: consumer, resource: resource, fields: ["k"], grantedFields: ["k"], permissions: [.pull, .push],
            purpose: "contract", delivery: delivery, status: status, createdAt: Timestamp.format(t0))
    }

    static func department(_ id: String, creditCode: String) -> Department {
        Department(
            id: id, name: "Department \(id)", creditCode: creditCode, level: .municipal, division: "360900", roles: [.provider, .consumer],
            createdAt: Timestamp.format(t0))
    }

    static func resource(_ code: String, version: Int = 1, status: Resource.Status = .draft, provider: String = "p1",
                         category: Resource.Category = .population, description: String? = nil) -> Resource {
        Resource(
            code: code, name: "Resource \(code)", category: category, provider: provider, description: description, primaryKey: "k",
            fields: [.init(name: "k", type: .string, required: true)], sharing: .init(type: .unconditional), version: version, status: status)
    }

    static func certificate(_ serial: String, principal: String = "urn:sharebus:dept:p1", notBefore: Date = t0) -> CertificateRecord {
        CertificateRecord(
            serial: serial, fingerprint: "f\(serial)", principal: principal, kind: .client, notBefore: notBefore,
            notAfter: notBefore + 86_400 * 30, pem: "-----BEGIN CERTIFICATE-----\n\(serial)\n-----END CERTIFICATE-----\n")
    }

    /// Walks the whole audit chain: indexes 1...n without a gap, each entry's `prevHash` the hash of
    /// the one before, each `hash` the SHA-256 of the entry's canonical form. Returns the entries.
    @discardableResult
    static func verifiedChain(_ store: StoreKind.Store) async throws -> [AuditEntry] {
        let entries = try await store.auditEntries(AuditQuery(from: 1, limit: 1_000_000))
        var previous = AuditEntry.genesisHash
        for (offset, entry) in entries.enumerated() {
            #expect(entry.index == Int64(offset + 1), "the chain has no gap")
            #expect(entry.prevHash == previous, "entry \(entry.index) links to the one before")
            #expect(try CanonicalJSON.sha256Hex(entry.hashedContent) == entry.hash, "entry \(entry.index) hashes to its hash")
            previous = entry.hash
        }
        return entries
    }
}

extension EnvelopeOutcome {
    var acceptedPayload: ReceiptPayload? {
        if case .accepted(_, let payload) = self { return payload }
        return nil
    }

    var duplicateReceipt: String? {
        if case .duplicate(let receipt) = self { return receipt }
        return nil
    }
}

/// The contract every `ShareBusStore` keeps, run against each implementation.
@Suite("Store contract")
struct StoreContractTests {}
