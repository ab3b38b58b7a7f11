public import Foundation
import GRDB
public import ShareBusCore

/// Dead letters (operators list, replay and discard them) and the queue figures of every subscription.
extension SQLiteStore {
    public func deadLetters(subscription: String) async throws -> [DeadLetter] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM dead_letter WHERE subscription = ? ORDER BY first_sequence, created_at", arguments: [subscription]
            ).map(Self.deadLetter)
        }
    }

    public func requestReplay(subscription: String, deadLetter id: String, at: Date, audit: AuditEvent) async throws -> DeadLetter {
        try await writeAudited(audit) { db in
            var letter = try Self.deadLetter(id: id, subscription: subscription, in: db)
            letter.replayRequestedAt = letter.replayRequestedAt ?? at
            try db.execute(
                sql: "UPDATE dead_letter SET replay_requested_at = ? WHERE id = ?", arguments: [Self.seconds(letter.replayRequestedAt), id])
            return letter
        }
    }

    public func discardDeadLetter(subscription: String, deadLetter id: String, audit: AuditEvent) async throws -> DeadLetter {
        try await writeAudited(audit) { db in
            let letter = try Self.deadLetter(id: id, subscription: subscription, in: db)
            try db.execute(sql: "DELETE FROM dead_letter WHERE id = ?", arguments: [id])
            // A replay of it that is waiting for a retry stops here; the live batches go on.
            try db.execute(
                sql: """
                    UPDATE delivery_state SET batch_first = NULL, batch_last = NULL, batch_replay = NULL, attempts = 0,
                        first_attempt_at = NULL, next_attempt_at = NULL
                    WHERE subscription = ? AND batch_replay = ?
                    """,
                arguments: [subscription, id])
            return letter
        }
    }

    public func queueFigures(sinceMinute: Int64) async throws -> [QueueFigures] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.body, s.cursor, COALESCE(h.head, 0) AS head, d.*,
                        (SELECT COUNT(*) FROM dead_letter x WHERE x.subscription = s.id) AS dead_letters,
                        (SELECT l.accepted_at FROM log l WHERE l.resource = s.resource AND l.sequence = s.cursor + 1) AS oldest,
                        (SELECT COALESCE(SUM(t.messages), 0) FROM delivery_tally t
                            WHERE t.subscription = s.id AND t.minute >= ?) AS recent
                    FROM subscription s
                    LEFT JOIN log_head h ON h.resource = s.resource
                    LEFT JOIN delivery_state d ON d.subscription = s.id
                    ORDER BY s.id
                    """,
                arguments: [sinceMinute]
            ).map { row in
                let subscription = try Self.subscription(row)
                return QueueFigures(
                    subscription: subscription, head: row["head"], state: Self.deliveryState(row, subscription: subscription.id),
                    deadLetters: row["dead_letters"], oldestUnacknowledgedAt: row["oldest"], recentlyDelivered: row["recent"])
            }
        }
    }

    static func deadLetter(id: String, subscription: String, in db: Database) throws -> DeadLetter {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM dead_letter WHERE id = ? AND subscription = ?", arguments: [id, subscription])
        else { throw ShareBusError(.deadLetterNotFound, "subscription \(subscription) has no dead letter \(id)") }
        return deadLetter(row)
    }

    static func deadLetter(_ row: Row) -> DeadLetter {
        DeadLetter(
            id: row["id"], subscription: row["subscription"], firstSequence: row["first_sequence"], lastSequence: row["last_sequence"],
            sizeBytes: row["size_bytes"], attempts: row["attempts"], lastError: row["last_error"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]), replayRequestedAt: date(row["replay_requested_at"]))
    }
}
