public import Foundation
import Logging
import PostgresNIO
public import ShareBusCore
public import ShareBusStore

/// Dead letters (operators list, replay and discard them) and the queue figures of every subscription.
extension PostgresStore {
    static let deadLetterColumns =
        "id, subscription, first_sequence, last_sequence, size_bytes, attempts, last_error, created_at, replay_requested_at"

    public func deadLetters(subscription: String) async throws -> [DeadLetter] {
        try await rows(
            PostgresQuery(
                unsafeSQL: "SELECT \(Self.deadLetterColumns) FROM dead_letter WHERE subscription = $1 ORDER BY first_sequence, created_at",
                binds: Self.binds(subscription))
        ).map(Self.deadLetter)
    }

    public func requestReplay(subscription: String, deadLetter id: String, at: Date, audit: AuditEvent) async throws -> DeadLetter {
        try await writeAudited(audit) { [logger] connection in
            var letter = try await Self.deadLetter(id: id, subscription: subscription, on: connection, logger: logger)
            letter.replayRequestedAt = letter.replayRequestedAt ?? at
            try await connection.query(
                "UPDATE dead_letter SET replay_requested_at = \(Self.seconds(letter.replayRequestedAt)) WHERE id = \(id)", logger: logger)
            return letter
        }
    }

    public func discardDeadLetter(subscription: String, deadLetter id: String, audit: AuditEvent) async throws -> DeadLetter {
        try await writeAudited(audit) { [logger] connection in
            let letter = try await Self.deadLetter(id: id, subscription: subscription, on: connection, logger: logger)
            try await connection.query("DELETE FROM dead_letter WHERE id = \(id)", logger: logger)
            // A replay of it that is waiting for a retry stops here; the live batches go on.
            try await connection.query(
                """
                UPDATE delivery_state SET batch_first = NULL, batch_last = NULL, batch_replay = NULL, attempts = 0,
                    first_attempt_at = NULL, next_attempt_at = NULL
                WHERE subscription = \(subscription) AND batch_replay = \(id)
                """, logger: logger)
            return letter
        }
    }

    public func queueFigures(sinceMinute: Int64) async throws -> [QueueFigures] {
        try await rows(
            PostgresQuery(
                unsafeSQL: """
                    SELECT s.body, s.cursor, COALESCE(h.head, 0) AS head, \(Self.deliveryColumns),
                        (SELECT COUNT(*) FROM dead_letter x WHERE x.subscription = s.id) AS dead_letters,
                        (SELECT l.accepted_at FROM log l WHERE l.resource = s.resource AND l.sequence = s.cursor + 1) AS oldest,
                        (SELECT COALESCE(SUM(t.messages), 0)::bigint FROM delivery_tally t
                            WHERE t.subscription = s.id AND t.minute >= $1) AS recent
                    FROM subscription s
                    LEFT JOIN log_head h ON h.resource = s.resource
                    LEFT JOIN delivery_state d ON d.subscription = s.id
                    ORDER BY s.id
                    """, binds: Self.binds(sinceMinute))
        ).map { row in
            let subscription = try Self.subscription(row)
            let cells = row.makeRandomAccess()
            return QueueFigures(
                subscription: subscription, head: try cells["head"].decode(Int64.self),
                state: try Self.deliveryState(row, subscription: subscription.id),
                deadLetters: Int(try cells["dead_letters"].decode(Int64.self)), oldestUnacknowledgedAt: try cells["oldest"].decode(String?.self),
                recentlyDelivered: Int(try cells["recent"].decode(Int64.self)))
        }
    }

    static func deadLetter(id: String, subscription: String, on connection: PostgresConnection, logger: Logger) async throws -> DeadLetter {
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: "SELECT \(deadLetterColumns) FROM dead_letter WHERE id = $1 AND subscription = $2 FOR UPDATE",
                binds: binds(id, subscription)), logger: logger
        ).collect()
        guard let row = rows.first else { throw ShareBusError(.deadLetterNotFound, "subscription \(subscription) has no dead letter \(id)") }
        return try deadLetter(row)
    }

    static func deadLetter(_ row: PostgresRow) throws -> DeadLetter {
        let (id, subscription, first, last, size, attempts, error, created, replay) = try row.decode(
            (String, String, Int64, Int64, Int64, Int64, String, Double, Double?).self)
        return DeadLetter(
            id: id, subscription: subscription, firstSequence: first, lastSequence: last, sizeBytes: Int(size), attempts: Int(attempts),
            lastError: error, createdAt: Date(timeIntervalSince1970: created), replayRequestedAt: date(replay))
    }
}
