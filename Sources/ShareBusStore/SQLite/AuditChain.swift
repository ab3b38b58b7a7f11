public import Foundation
import GRDB
public import ShareBusCore
import ShareBusCrypto

/// Appending to and reading the audit hash chain inside SQLite transactions.
enum AuditChain {
    @discardableResult
    static func append(_ event: AuditEvent, in db: Database) throws -> AuditEntry {
        let last = try Row.fetchOne(db.cachedStatement(sql: "SELECT idx, hash FROM audit ORDER BY idx DESC LIMIT 1"))
        let index: Int64 = (last?["idx"] ?? 0) + 1
        let prevHash: String = last?["hash"] ?? AuditEntry.genesisHash
        var details = event.details
        if let subject = event.subject { details["subject"] = .string(subject) }
        var entry = AuditEntry(
            index: index, at: Timestamp.format(event.at), actor: event.actor, action: event.action,
            target: event.target, details: details, prevHash: prevHash, hash: "")
        entry.hash = try CanonicalJSON.sha256Hex(entry.hashedContent)
        let detailsText = String(decoding: try CanonicalJSON.serialize(.object(entry.details)), as: UTF8.self)
        try db.cachedStatement(
            sql: "INSERT INTO audit (idx, at, actor, action, target, details, prev_hash, hash, subject) VALUES (?,?,?,?,?,?,?,?,?)"
        ).execute(arguments: [
            entry.index, entry.at, entry.actor, entry.action, entry.target, detailsText, entry.prevHash, entry.hash, event.subject,
        ])
        return entry
    }

    static func entry(_ row: Row) throws -> AuditEntry {
        let detailsText: String = row["details"]
        let details = try JSONDecoder().decode([String: JSONValue].self, from: Data(detailsText.utf8))
        return AuditEntry(
            index: row["idx"], at: row["at"], actor: row["actor"], action: row["action"], target: row["target"],
            details: details, prevHash: row["prev_hash"], hash: row["hash"])
    }
}

extension SQLiteStore {
    public func auditEntries(_ query: AuditQuery) async throws -> [AuditEntry] {
        try await pool.read { db in
            var sql = "SELECT * FROM audit WHERE idx >= ?"
            var arguments: StatementArguments = [query.from]
            if let actor = query.actor {
                sql += " AND actor = ?"
                _ = arguments.append(contentsOf: [actor])
            }
            if let action = query.action {
                sql += " AND action = ?"
                _ = arguments.append(contentsOf: [action])
            }
            if let subject = query.subject {
                sql += " AND subject = ?"
                _ = arguments.append(contentsOf: [subject])
            }
            sql += " ORDER BY idx LIMIT ?"
            _ = arguments.append(contentsOf: [query.limit])
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(AuditChain.entry)
        }
    }

    public func auditHead() async throws -> AuditEntry? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM audit ORDER BY idx DESC LIMIT 1").map(AuditChain.entry)
        }
    }
}
