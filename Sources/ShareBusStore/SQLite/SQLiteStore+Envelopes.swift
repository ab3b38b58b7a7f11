public import Foundation
import GRDB
public import ShareBusCore

extension SQLiteStore {
    public func existingEnvelope(sender: String, id: String) async throws -> (payloadSHA256: String, receipt: String)? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT payload_sha256, receipt FROM envelope WHERE sender = ? AND id = ?", arguments: [sender, id])
                .map { (payloadSHA256: $0["payload_sha256"], receipt: $0["receipt"]) }
        }
    }

    public func accept(
        _ envelope: AcceptedEnvelope, audit: AuditEvent, sign: @escaping @Sendable (ReceiptPayload) throws -> String
    ) async throws -> EnvelopeOutcome {
        try await mapErrors {
            // One savepoint of the next group commit; answered once that commit is on disk.
            try await writer.write { db in
                // Checked again inside the transaction: two copies racing in are serialised here.
                if let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT payload_sha256, receipt FROM envelope WHERE sender = ? AND id = ?"),
                    arguments: [envelope.sender, envelope.id])
                {
                    guard (row["payload_sha256"] as String) == envelope.payloadSHA256 else {
                        throw ShareBusError(.replayedEnvelope, "envelope \(envelope.id) was already accepted with a different payload")
                    }
                    return .duplicate(receipt: row["receipt"])
                }
                let head =
                    try Int64.fetchOne(db.cachedStatement(sql: "SELECT head FROM log_head WHERE resource = ?"), arguments: [envelope.resource]) ?? 0
                let acceptedAt = Timestamp.format(envelope.acceptedAt)
                var sequence = head
                let insertLog = try db.cachedStatement(
                    sql: "INSERT INTO log (resource, sequence, op, key, record, envelope_id, sender, accepted_at) VALUES (?,?,?,?,?,?,?,?)")
                let upsert = try db.cachedStatement(
                    sql: """
                        INSERT INTO record_state (resource, key, record, sequence) VALUES (?,?,?,?)
                        ON CONFLICT(resource, key) DO UPDATE SET record = excluded.record, sequence = excluded.sequence
                        """)
                let delete = try db.cachedStatement(sql: "DELETE FROM record_state WHERE resource = ? AND key = ?")
                for operation in envelope.operations {
                    sequence += 1
                    try insertLog.execute(arguments: [
                        envelope.resource, sequence, operation.kind.rawValue, operation.key, operation.record, envelope.id,
                        envelope.sender, acceptedAt,
                    ])
                    switch operation.kind {
                    case .upsert: try upsert.execute(arguments: [envelope.resource, operation.key, operation.record, sequence])
                    case .delete: try delete.execute(arguments: [envelope.resource, operation.key])
                    }
                }
                try db.cachedStatement(
                    sql: "INSERT INTO log_head (resource, head) VALUES (?, ?) ON CONFLICT(resource) DO UPDATE SET head = excluded.head"
                ).execute(arguments: [envelope.resource, sequence])
                var event = audit
                event.details["firstSequence"] = .integer(head + 1)
                event.details["lastSequence"] = .integer(sequence)
                let entry = try AuditChain.append(event, in: db)
                let payload = ReceiptPayload(
                    envelopeId: envelope.id, sender: envelope.sender, resource: envelope.resource,
                    payloadSha256: envelope.payloadSHA256, firstSequence: head + 1, lastSequence: sequence, auditIndex: entry.index,
                    acceptedAt: acceptedAt)
                let receipt = try sign(payload)
                try db.cachedStatement(
                    sql: """
                        INSERT INTO envelope (sender, id, resource, payload_sha256, first_sequence, last_sequence, audit_index, accepted_at, receipt)
                        VALUES (?,?,?,?,?,?,?,?,?)
                        """
                ).execute(
                    arguments: [
                        envelope.sender, envelope.id, envelope.resource, envelope.payloadSHA256, head + 1, sequence, entry.index,
                        acceptedAt, receipt,
                    ])
                return .accepted(receipt: receipt, payload: payload)
            }
        }
    }

    public func head(resource: String) async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT head FROM log_head WHERE resource = ?"), arguments: [resource]) ?? 0
        }
    }

    public func log(resource: String, after sequence: Int64, limit: Int) async throws -> [LogEntry] {
        try await pool.read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM log WHERE resource = ? AND sequence > ? ORDER BY sequence LIMIT ?"),
                arguments: [resource, sequence, limit]
            ).map {
                LogEntry(
                    sequence: $0["sequence"], op: $0["op"], key: $0["key"], record: $0["record"], envelopeId: $0["envelope_id"],
                    sender: $0["sender"], acceptedAt: $0["accepted_at"])
            }
        }
    }

    public func currentRecord(resource: String, key: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT record FROM record_state WHERE resource = ? AND key = ?"), arguments: [resource, key])
        }
    }

    public func appendAudit(_ audit: AuditEvent) async throws {
        _ = try await writeAudited(audit) { _ in () }
    }
}
