public import Foundation
import GRDB
public import ShareBusCore

extension SQLiteStore {
    public func recordCertificate(_ certificate: CertificateRecord, audit: AuditEvent) async throws {
        try await writeAudited(audit) { db in
            try db.execute(
                sql: """
                    INSERT INTO certificate (serial, fingerprint, principal, kind, not_before, not_after, pem, revoked_at, revocation_reason)
                    VALUES (?,?,?,?,?,?,?,?,?)
                    """,
                arguments: [
                    certificate.serial, certificate.fingerprint, certificate.principal, certificate.kind.rawValue,
                    certificate.notBefore.timeIntervalSince1970, certificate.notAfter.timeIntervalSince1970, certificate.pem,
                    certificate.revokedAt?.timeIntervalSince1970, certificate.revocationReason,
                ])
        }
    }

    public func certificate(fingerprint: String) async throws -> CertificateRecord? {
        try await pool.read { db in try Self.certificate(fingerprint: fingerprint, in: db) }
    }

    /// One read, on statements prepared once per connection: it runs on every request.
    public func identity(fingerprint: String) async throws -> StoreCaches.Identity {
        try await pool.read { db in
            guard let record = try Self.certificate(fingerprint: fingerprint, in: db) else {
                return StoreCaches.Identity(certificate: nil, department: nil)
            }
            var department: Department?
            if case .department(let id) = Principal(uri: record.principal) { department = try Self.department(id: id, in: db) }
            return StoreCaches.Identity(certificate: record, department: department)
        }
    }

    static func certificate(fingerprint: String, in db: Database) throws -> CertificateRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM certificate WHERE fingerprint = ?"), arguments: [fingerprint.lowercased()])
            .map(Self.certificate)
    }

    public func certificate(serial: String) async throws -> CertificateRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM certificate WHERE serial = ?", arguments: [serial.lowercased()])
                .map(Self.certificate)
        }
    }

    public func certificates(principal: String) async throws -> [CertificateRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM certificate WHERE principal = ? ORDER BY not_before", arguments: [principal])
                .map(Self.certificate)
        }
    }

    public func revokeCertificate(serial: String, reason: String, audit: AuditEvent) async throws -> CertificateRecord {
        try await writeAudited(audit) { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM certificate WHERE serial = ?", arguments: [serial.lowercased()])
            else { throw ShareBusError(.certificateNotFound, "no certificate with serial \(serial)") }
            var record = try Self.certificate(row)
            guard record.revokedAt == nil else {
                throw ShareBusError.invalidState("certificate \(record.serial) was already revoked")
            }
            record.revokedAt = audit.at
            record.revocationReason = reason
            try db.execute(
                sql: "UPDATE certificate SET revoked_at = ?, revocation_reason = ? WHERE serial = ?",
                arguments: [audit.at.timeIntervalSince1970, reason, record.serial])
            return record
        }
    }

    public func revokedCertificates() async throws -> [CertificateRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM certificate WHERE revoked_at IS NOT NULL ORDER BY revoked_at")
                .map(Self.certificate)
        }
    }

    public func nextCRLNumber() async throws -> Int {
        try await mapErrors {
            try await pool.write { db in
                try db.execute(
                    sql: "INSERT INTO counter (name, value) VALUES ('crl', 1) ON CONFLICT(name) DO UPDATE SET value = value + 1")
                return try Int.fetchOne(db, sql: "SELECT value FROM counter WHERE name = 'crl'") ?? 1
            }
        }
    }

    static func certificate(_ row: Row) throws -> CertificateRecord {
        guard let kind = CertificateRecord.Kind(rawValue: row["kind"]) else {
            throw ShareBusError(.internalError, "stored certificate has an unknown kind")
        }
        let revokedAt: Double? = row["revoked_at"]
        return CertificateRecord(
            serial: row["serial"], fingerprint: row["fingerprint"], principal: row["principal"], kind: kind,
            notBefore: Date(timeIntervalSince1970: row["not_before"]), notAfter: Date(timeIntervalSince1970: row["not_after"]),
            pem: row["pem"], revokedAt: revokedAt.map(Date.init(timeIntervalSince1970:)),
            revocationReason: row["revocation_reason"])
    }
}
