public import Foundation
public import ShareBusCore

/// The bus's storage, as the rest of the bus sees it.
///
/// Every mutating method is one transaction that also appends its audit entry, so an action and
/// its record in the hash chain are written together or not at all. Rules that must hold against
/// the stored state (a compatible new version, a draft to edit) are passed in as closures and run
/// inside that transaction. SQLite is the embedded implementation; a PostgreSQL one sits beside it.
public protocol ShareBusStore: ExchangeStore, PushStore {
    /// True once the store is open and migrated.
    var isReady: Bool { get async }

    // MARK: Departments
    func createDepartment(_ department: Department, audit: AuditEvent) async throws
    func department(id: String) async throws -> Department?
    func departments(limit: Int, after: String?) async throws -> [Department]
    func setDepartmentStatus(id: String, status: Department.Status, audit: AuditEvent) async throws -> Department

    // MARK: Certificates
    func recordCertificate(_ certificate: CertificateRecord, audit: AuditEvent) async throws
    func certificate(fingerprint: String) async throws -> CertificateRecord?
    /// The certificate with `fingerprint` and, when it names a department, that department: what
    /// every request's caller is established from.
    func identity(fingerprint: String) async throws -> StoreCaches.Identity
    func certificate(serial: String) async throws -> CertificateRecord?
    func certificates(principal: String) async throws -> [CertificateRecord]
    func revokeCertificate(serial: String, reason: String, audit: AuditEvent) async throws -> CertificateRecord
    func revokedCertificates() async throws -> [CertificateRecord]
    /// The next CRL number, incremented on every call.
    func nextCRLNumber() async throws -> Int

    // MARK: Catalog
    /// Every stored version of a resource, oldest first; empty when the code is unknown.
    func resourceVersions(code: String) async throws -> [Resource]
    /// The newest version of every resource that matches the filter.
    func resources(_ filter: ResourceFilter) async throws -> [Resource]
    /// Runs `change` on the resource's versions (oldest first) inside one write transaction and
    /// stores what it returns. The closure throws to refuse; nothing is then written.
    func changeResource(
        code: String, audit: AuditEvent,
        _ change: @Sendable ([Resource]) throws -> ResourceChange
    ) async throws -> Resource

    // MARK: Audit
    func auditEntries(_ query: AuditQuery) async throws -> [AuditEntry]
    func auditHead() async throws -> AuditEntry?
}

extension ShareBusStore {
    /// Two reads; a store that can answer in one does.
    public func identity(fingerprint: String) async throws -> StoreCaches.Identity {
        let record = try await certificate(fingerprint: fingerprint)
        var department: Department?
        if let record, case .department(let id) = Principal(uri: record.principal) {
            department = try await self.department(id: id)
        }
        return StoreCaches.Identity(certificate: record, department: department)
    }
}

/// What a catalog change writes: a new version, a replacement of the newest version (a draft being
/// edited, a status change), or nothing (an import that finds the resource already as it is).
public enum ResourceChange: Sendable {
    case insert(Resource)
    case replaceLatest(Resource)
    case unchanged(Resource)
}

public struct ResourceFilter: Sendable {
    public var category: Resource.Category?
    public var provider: String?
    public var status: Resource.Status?
    /// Matched, case-insensitively, against code, name and description.
    public var text: String?
    public var limit: Int
    public var after: String?

    public init(
        category: Resource.Category? = nil, provider: String? = nil, status: Resource.Status? = nil,
        text: String? = nil, limit: Int = 100, after: String? = nil
    ) {
        self.category = category
        self.provider = provider
        self.status = status
        self.text = text
        self.limit = limit
        self.after = after
    }

    /// From every version matching the columns, ordered by code then version: the newest version of
    /// each code whose text matches, up to `limit`. The stores share this step after their query.
    public func newestMatching(_ ordered: [Resource]) -> [Resource] {
        var newest: [Resource] = []
        for resource in ordered {
            if newest.last?.code == resource.code { newest[newest.count - 1] = resource } else { newest.append(resource) }
        }
        if let text = text?.lowercased(), !text.isEmpty {
            newest = newest.filter {
                $0.code.lowercased().contains(text) || $0.name.lowercased().contains(text)
                    || ($0.description?.lowercased().contains(text) ?? false)
            }
        }
        return Array(newest.prefix(limit))
    }
}
