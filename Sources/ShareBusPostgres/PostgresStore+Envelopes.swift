public import Foundation
import Logging
import PostgresNIO
public import ShareBusCore
public import ShareBusStore

extension PostgresStore {
    public func existingEnvelope(sender: String, id: String) async throws -> (payloadSHA256: String, receipt: String)? {
        try await rows("SELECT payload_sha256, receipt FROM envelope WHERE sender = \(sender) AND id = \(id)")
            .first.map { try $0.decode((String, String).self) }.map { (payloadSHA256: $0.0, receipt: $0.1) }
    }

    /// Stores an envelope, its log entries, current records and audit entry in one transaction.
    ///
    /// The resource's `log_head` row is locked first, so sequences are handed out one envelope at
    /// a time whichever node accepts. A copy of the same envelope on the same resource waits on
    /// that lock and then finds the first copy; a copy naming another resource loses on the
    /// `(sender, id)` primary key, and its second attempt answers from the stored row.
    public func accept(
        _ envelope: AcceptedEnvelope, audit: AuditEvent, sign: @escaping @Sendable (ReceiptPayload) throws -> String
    ) async throws -> EnvelopeOutcome {
        do {
            return try await acceptOnce(envelope, audit: audit, sign: sign)
        } catch where StoreFailure.isUniqueViolation(error) {
            return try await acceptOnce(envelope, audit: audit, sign: sign)
        }
    }

    private func acceptOnce(
        _ envelope: AcceptedEnvelope, audit: AuditEvent, sign: @escaping @Sendable (ReceiptPayload) throws -> String
    ) async throws -> EnvelopeOutcome {
        try await transaction { [logger, configuration] connection in
            let resource = envelope.resource
            // The resource's head, created at 0 when new, and locked to the commit either way.
            var head: Int64 = 0
            for try await value in try await connection.query(
                """
                INSERT INTO log_head (resource, head) VALUES (\(resource), 0)
                ON CONFLICT (resource) DO UPDATE SET head = log_head.head RETURNING head
                """, logger: logger
            ).decode(Int64.self) { head = value }
            // Checked under the lock: a copy that committed meanwhile is seen here.
            for try await (digest, receipt) in try await connection.query(
                "SELECT payload_sha256, receipt FROM envelope WHERE sender = \(envelope.sender) AND id = \(envelope.id)", logger: logger
            ).decode((String, String).self) {
                guard digest == envelope.payloadSHA256 else {
                    throw ShareBusError(.replayedEnvelope, "envelope \(envelope.id) was already accepted with a different payload")
                }
                return EnvelopeOutcome.duplicate(receipt: receipt)
            }
            let acceptedAt = Timestamp.format(envelope.acceptedAt)
            let batch = LogBatch(envelope.operations, after: head)
            let last = batch.last
            // The log, the current records and the head in one statement. A delete keeps the record
            // text it comes with, as in the SQLite store: under a sealed key that text carries the
            // clear key (`$key`), which is how the delete is still delivered. A key is in at most one
            // of the upserts and the deletes (the last operation on it wins).
            try await connection.query(
                """
                WITH logged AS (
                    INSERT INTO log (resource, sequence, op, key, record, envelope_id, sender, accepted_at)
                    SELECT \(resource), t.s, t.o, t.k, CASE WHEN t.o = 'delete' THEN NULLIF(t.r, '') ELSE t.r END,
                        \(envelope.id), \(envelope.sender), \(acceptedAt)
                    FROM unnest(\(batch.sequences)::bigint[], \(batch.ops)::text[], \(batch.keys)::text[], \(batch.records)::text[])
                        AS t(s, o, k, r)
                ), upserted AS (
                    INSERT INTO record_state (resource, key, record, sequence)
                    SELECT \(resource), t.k, t.r, t.s FROM unnest(\(batch.upserts.map(\.key))::text[], \(batch.upserts.map(\.record))::text[],
                        \(batch.upserts.map(\.sequence))::bigint[]) AS t(k, r, s)
                    ON CONFLICT (resource, key) DO UPDATE SET record = excluded.record, sequence = excluded.sequence
                ), deleted AS (
                    DELETE FROM record_state WHERE resource = \(resource) AND key = ANY(\(batch.deletes)::text[])
                )
                UPDATE log_head SET head = \(last) WHERE resource = \(resource)
                """, logger: logger)
            var event = audit
            event.details["firstSequence"] = .integer(head + 1)
            event.details["lastSequence"] = .integer(last)
            let next = try await AuditChain.lockHead(for: event, on: connection, logger: logger)
            let payload = ReceiptPayload(
                envelopeId: envelope.id, sender: envelope.sender, resource: resource, payloadSha256: envelope.payloadSHA256,
                firstSequence: head + 1, lastSequence: last, auditIndex: next.entry.index, acceptedAt: acceptedAt)
            let receipt = try sign(payload)
            // The audit entry, the head, the envelope and the announcement in one round trip; the
            // announcement reaches listeners on every node once this transaction commits, never before.
            let announcement = #"{"resource":"# + Self.jsonString(resource) + #","head":\#(last)}"#
            let final = """
                INSERT INTO envelope (sender, id, resource, payload_sha256, first_sequence, last_sequence, audit_index, accepted_at, receipt)
                SELECT $10, $11, $12, $13, $14, $15, $1, $16, $17 FROM (SELECT pg_notify($18, $19)) AS announced
                """
            try await connection.query(
                try AuditChain.query(writing: next, then: final) { binds in
                    binds.append(envelope.sender)
                    binds.append(envelope.id)
                    binds.append(resource)
                    binds.append(envelope.payloadSHA256)
                    binds.append(head + 1)
                    binds.append(last)
                    binds.append(acceptedAt)
                    binds.append(receipt)
                    binds.append(configuration.channel)
                    binds.append(announcement)
                }, logger: logger)
            return EnvelopeOutcome.accepted(receipt: receipt, payload: payload)
        }
    }

    public func head(resource: String) async throws -> Int64 {
        try await rows("SELECT head FROM log_head WHERE resource = \(resource)").first?.decode(Int64.self) ?? 0
    }

    public func log(resource: String, after sequence: Int64, limit: Int) async throws -> [LogEntry] {
        try await rows(
            """
            SELECT sequence, op, key, record, envelope_id, sender, accepted_at FROM log
            WHERE resource = \(resource) AND sequence > \(sequence) ORDER BY sequence LIMIT \(Int64(limit))
            """
        ).map { row in
            let (sequence, op, key, record, envelopeId, sender, acceptedAt) = try row.decode(
                (Int64, String, String, String?, String, String, String).self)
            return LogEntry(sequence: sequence, op: op, key: key, record: record, envelopeId: envelopeId, sender: sender, acceptedAt: acceptedAt)
        }
    }

    public func currentRecord(resource: String, key: String) async throws -> String? {
        try await rows("SELECT record FROM record_state WHERE resource = \(resource) AND key = \(key)").first?.decode(String.self)
    }

    /// Every resource's head, announced again after the listener reconnected.
    static func currentHeads(on connection: PostgresConnection, logger: Logger) async throws -> [(resource: String, head: Int64)] {
        var heads: [(resource: String, head: Int64)] = []
        for try await (resource, head) in try await connection.query("SELECT resource, head FROM log_head", logger: logger)
            .decode((String, Int64).self)
        {
            heads.append((resource, head))
        }
        return heads
    }

    static func jsonString(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}

/// An envelope's operations laid out as columns for one `unnest` insert, and the net effect on the
/// current records (the last operation on a key wins, as if applied one by one).
struct LogBatch {
    var sequences: [Int64] = []
    var ops: [String] = []
    var keys: [String] = []
    var records: [String] = []
    var upserts: [(key: String, record: String, sequence: Int64)] = []
    var deletes: [String] = []
    var last: Int64

    init(_ operations: [AcceptedEnvelope.Operation], after head: Int64) {
        var sequence = head
        var final: [String: (record: String?, sequence: Int64)] = [:]
        var order: [String] = []
        for operation in operations {
            sequence += 1
            sequences.append(sequence)
            ops.append(operation.kind.rawValue)
            keys.append(operation.key)
            records.append(operation.record ?? "")
            if final[operation.key] == nil { order.append(operation.key) }
            final[operation.key] = (operation.kind == .upsert ? operation.record ?? "" : nil, sequence)
        }
        last = sequence
        for key in order {
            guard let state = final[key] else { continue }
            if let record = state.record { upserts.append((key, record, state.sequence)) } else { deletes.append(key) }
        }
    }
}
