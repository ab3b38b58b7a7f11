public import Foundation
import PostgresNIO
public import ShareBusCore
public import ShareBusStore

extension PostgresStore {
    static let certificateColumns = "serial, fingerprint, principal, kind, not_before, not_after, pem, revoked_at, revocation_reason"

    public func recordCertificate(_ certificate: CertificateRecord, audit: AuditEvent) async throws {
        try await writeAudited(audit) { [logger] connection in
            try await connection.query(
                """
                INSERT INTO certificate (serial, fingerprint, principal, kind, not_before, not_after, pem, revoked_at, revocation_reason)
                VALUES (\(certificate.serial), \(certificate.fingerprint), \(certificate.principal), \(certificate.kind.rawValue),
                    \(certificate.notBefore.timeIntervalSince1970), \(certificate.notAfter.timeIntervalSince1970), \(certificate.pem),
                    \(certificate.revokedAt?.timeIntervalSince1970), \(certificate.revocationReason))
                """, logger: logger)
        }
    }

    public func certificate(fingerprint: String) async throws -> CertificateRecord? {
        try await certificates(where: "fingerprint = $1", fingerprint.lowercased()).first
    }

    public func certificate(serial: String) async throws -> CertificateRecord? {
        try await certificates(where: "serial = $1", serial.lowercased()).first
    }

    public func certificates(principal: String) async throws -> [CertificateRecord] {
        try await certificates(where: "principal = $1 ORDER BY not_before", principal)
    }

    public func revokeCertificate(serial: String, reason: String, audit: AuditEvent) async throws -> CertificateRecord {
        try await writeAudited(audit) { [logger] connection in
            let rows = try await connection.query(
                PostgresQuery(
                    unsafeSQL: "SELECT \(Self.certificateColumns) FROM certificate WHERE serial = $1 FOR UPDATE",
                    binds: Self.binds(serial.lowercased())), logger: logger
            ).collect()
            guard let row = rows.first else { throw ShareBusError(.certificateNotFound, "no certificate with serial \(serial)") }
            var record = try Self.certificate(row)
            guard record.revokedAt == nil else { throw ShareBusError.invalidState("certificate \(record.serial) was already revoked") }
            record.revokedAt = audit.at
            record.revocationReason = reason
            try await connection.query(
                """
                UPDATE certificate SET revoked_at = \(audit.at.timeIntervalSince1970), revocation_reason = \(reason)
                WHERE serial = \(record.serial)
                """, logger: logger)
            return record
        }
    }

    public func revokedCertificates() async throws -> [CertificateRecord] {
        try await rows(
            PostgresQuery(unsafeSQL: "SELECT \(Self.certificateColumns) FROM certificate WHERE revoked_at IS NOT NULL ORDER BY revoked_at")
        ).map(Self.certificate)
    }

    /// One statement: two nodes never hand out the same number.
    public func nextCRLNumber() async throws -> Int {
        try await transaction { [logger] connection in
            let rows = try await connection.query(
                """
                INSERT INTO counter (name, value) VALUES ('crl', 1)
                ON CONFLICT (name) DO UPDATE SET value = counter.value + 1 RETURNING value
                """, logger: logger
            ).collect()
            return Int(try rows.first?.decode(Int64.self) ?? 1)
        }
    }

    private func certificates(where condition: String, _ value: String) async throws -> [CertificateRecord] {
        try await rows(
            PostgresQuery(unsafeSQL: "SELECT \(Self.certificateColumns) FROM certificate WHERE \(condition)", binds: Self.binds(value))
        ).map(Self.certificate)
    }

    static func certificate(_ row: PostgresRow) throws -> CertificateRecord {
        let (serial, fingerprint, principal, kindText, notBefore, notAfter, pem, revokedAt, reason) = try row.decode(
            (String, String, String, String, Double, Double, String, Double?, String?).self)
        guard let kind = CertificateRecord.Kind(rawValue: kindText) else {
            throw ShareBusError(.internalError, "stored certificate has an unknown kind")
        }
        return CertificateRecord(
            serial: serial, fingerprint: fingerprint, principal: principal, kind: kind,
            notBefore: Date(timeIntervalSince1970: notBefore), notAfter: Date(timeIntervalSince1970: notAfter), pem: pem,
            revokedAt: revokedAt.map(Date.init(timeIntervalSince1970:)), revocationReason: reason)
    }
}
