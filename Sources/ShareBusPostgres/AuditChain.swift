public import Foundation
import Logging
import PostgresNIO
public import ShareBusCore
import ShareBusCrypto
public import ShareBusStore

/// Appending to and reading the audit hash chain inside PostgreSQL transactions.
///
/// Every node appends to one chain: the append locks the `audit_head` row (`FOR UPDATE`), so two
/// transactions on two nodes take their turns, and the second sees the first's entry as its
/// previous one. The lock is the last one a transaction takes, and it is held to the commit.
enum AuditChain {
    /// The next entry of the chain, built under the head's lock but not written yet.
    struct Next {
        let entry: AuditEntry
        let detailsText: String
        let subject: String?
    }

    @discardableResult
    static func append(_ event: AuditEvent, on connection: PostgresConnection, logger: Logger) async throws -> AuditEntry {
        let next = try await lockHead(for: event, on: connection, logger: logger)
        try await connection.query(try query(writing: next, then: "SELECT 1"), logger: logger)
        return next.entry
    }

    /// Locks the `audit_head` row (held to the commit) and builds the entry that follows it.
    static func lockHead(for event: AuditEvent, on connection: PostgresConnection, logger: Logger) async throws -> Next {
        var last: (Int64, String) = (0, AuditEntry.genesisHash)
        for try await row in try await connection.query("SELECT idx, hash FROM audit_head WHERE id = 1 FOR UPDATE", logger: logger)
            .decode((Int64, String).self)
        {
            last = row
        }
        var details = event.details
        if let subject = event.subject { details["subject"] = .string(subject) }
        var entry = AuditEntry(
            index: last.0 + 1, at: Timestamp.format(event.at), actor: event.actor, action: event.action,
            target: event.target, details: details, prevHash: last.1, hash: "")
        entry.hash = try CanonicalJSON.sha256Hex(entry.hashedContent)
        let detailsText = String(decoding: try CanonicalJSON.serialize(.object(entry.details)), as: UTF8.self)
        return Next(entry: entry, detailsText: detailsText, subject: event.subject)
    }

    /// One statement that writes `next`, moves the head to it, and runs `final`: the round trips
    /// made while the head is locked are what every write of every node waits for. The entry's
    /// values are `$1` to `$9` (`$1` its index); `final` numbers its own binds from `$10`.
    static func query(
        writing next: Next, then final: String, binds extra: (inout PostgresBindings) throws -> Void = { _ in }
    ) throws -> PostgresQuery {
        let entry = next.entry
        var binds = PostgresBindings()
        binds.append(entry.index)
        binds.append(entry.at)
        binds.append(entry.actor)
        binds.append(entry.action)
        binds.append(entry.target)
        binds.append(next.detailsText)
        binds.append(entry.prevHash)
        binds.append(entry.hash)
        binds.append(next.subject)
        try extra(&binds)
        return PostgresQuery(
            unsafeSQL: """
                WITH a AS (
                    INSERT INTO audit (idx, at, actor, action, target, details, prev_hash, hash, subject)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                ), h AS (UPDATE audit_head SET idx = $1, hash = $8 WHERE id = 1)
                \(final)
                """, binds: binds)
    }

    static func entry(_ row: PostgresRow) throws -> AuditEntry {
        let (index, at, actor, action, target, detailsText, prevHash, hash) = try row.decode(
            (Int64, String, String, String, String, String, String, String).self)
        let details = try JSONDecoder().decode([String: JSONValue].self, from: Data(detailsText.utf8))
        return AuditEntry(
            index: index, at: at, actor: actor, action: action, target: target, details: details, prevHash: prevHash, hash: hash)
    }

    static let columns = "idx, at, actor, action, target, details, prev_hash, hash"
}

extension PostgresStore {
    /// Runs `body` in one transaction and appends `audit` to the chain at its end.
    func writeAudited<T: Sendable>(
        _ audit: AuditEvent, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await transaction { [logger] connection in
            let value = try await body(connection)
            try await AuditChain.append(audit, on: connection, logger: logger)
            return value
        }
    }

    public func auditEntries(_ query: AuditQuery) async throws -> [AuditEntry] {
        var sql = "SELECT \(AuditChain.columns) FROM audit WHERE idx >= $1"
        var binds = PostgresBindings()
        binds.append(query.from)
        for (column, value) in [("actor", query.actor), ("action", query.action), ("subject", query.subject)] {
            guard let value else { continue }
            binds.append(value)
            sql += " AND \(column) = $\(binds.count)"
        }
        binds.append(Int64(query.limit))
        sql += " ORDER BY idx LIMIT $\(binds.count)"
        return try await rows(PostgresQuery(unsafeSQL: sql, binds: binds)).map(AuditChain.entry)
    }

    public func auditHead() async throws -> AuditEntry? {
        try await rows(PostgresQuery(unsafeSQL: "SELECT \(AuditChain.columns) FROM audit ORDER BY idx DESC LIMIT 1")).first.map(AuditChain.entry)
    }

    public func appendAudit(_ audit: AuditEvent) async throws {
        _ = try await writeAudited(audit) { _ in () }
    }
}
