public import Foundation
import GRDB
import ShareBusCore

/// Push delivery state: the batch in hand, its retries, the operator's pause, and the per-minute
/// tally behind the delivery rate. Dead letters and queue figures are in `SQLiteStore+DeadLetters`.
extension SQLiteStore {
    public func deliveryState(subscription: String) async throws -> DeliveryState? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM delivery_state WHERE subscription = ?", arguments: [subscription])
                .map { Self.deliveryState($0, subscription: subscription) }
        }
    }

    public func pushCandidates() async throws -> [PushCandidate] {
        try await pool.read { db in
            // The LIKE only narrows the scan (the body is compact JSON with sorted keys); decoding decides.
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT s.id AS sid, s.body, s.cursor, COALESCE(h.head, 0) AS head, d.*
                    FROM subscription s
                    LEFT JOIN log_head h ON h.resource = s.resource
                    LEFT JOIN delivery_state d ON d.subscription = s.id
                    WHERE s.status = 'active' AND s.body LIKE '%"mode":"push"%'
                    ORDER BY s.id
                    """)
            var replays: [String: DeadLetter] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT * FROM dead_letter WHERE replay_requested_at IS NOT NULL ORDER BY replay_requested_at, first_sequence")
            {
                let letter = Self.deadLetter(row)
                if replays[letter.subscription] == nil { replays[letter.subscription] = letter }
            }
            return try rows.compactMap { row -> PushCandidate? in
                let subscription = try Self.subscription(row)
                guard subscription.delivery.mode == .push else { return nil }
                return PushCandidate(
                    subscription: subscription, head: row["head"], state: Self.deliveryState(row, subscription: subscription.id),
                    replay: replays[subscription.id])
            }
        }
    }

    public func commitPush(_ commit: PushCommit, audit: AuditEvent) async throws {
        try await writeAudited(audit) { db in
            let state = commit.state
            let batch = state.batch
            try db.execute(
                sql: """
                    INSERT INTO delivery_state (subscription, batch_first, batch_last, batch_replay, attempts, first_attempt_at,
                        next_attempt_at, last_attempt_at, last_error, consecutive_failures, last_delivery_at)
                    VALUES (?,?,?,?,?,?,?,?,?,?,?)
                    ON CONFLICT(subscription) DO UPDATE SET batch_first = excluded.batch_first, batch_last = excluded.batch_last,
                        batch_replay = excluded.batch_replay, attempts = excluded.attempts, first_attempt_at = excluded.first_attempt_at,
                        next_attempt_at = excluded.next_attempt_at, last_attempt_at = excluded.last_attempt_at,
                        last_error = excluded.last_error, consecutive_failures = excluded.consecutive_failures,
                        last_delivery_at = excluded.last_delivery_at
                    """,
                arguments: [
                    state.subscription, batch?.first, batch?.last, batch?.replayOf, batch?.attempts ?? 0, Self.seconds(batch?.firstAttemptAt),
                    Self.seconds(state.nextAttemptAt), Self.seconds(state.lastAttemptAt), state.lastError, state.consecutiveFailures,
                    Self.seconds(state.lastDeliveryAt),
                ])
            if let through = commit.moveCursor, var subscription = try Self.subscription(id: state.subscription, in: db),
                through > subscription.cursor
            {
                subscription.cursor = through
                try db.execute(
                    sql: "UPDATE subscription SET cursor = ?, delivered = MAX(delivered, ?), body = ? WHERE id = ?",
                    arguments: [through, through, try Self.encode(subscription), subscription.id])
            }
            if let letter = commit.deadLetter {
                try db.execute(
                    sql: """
                        INSERT INTO dead_letter (id, subscription, first_sequence, last_sequence, size_bytes, attempts, last_error, created_at)
                        VALUES (?,?,?,?,?,?,?,?)
                        """,
                    arguments: [
                        letter.id, letter.subscription, letter.firstSequence, letter.lastSequence, letter.sizeBytes, letter.attempts,
                        letter.lastError, letter.createdAt.timeIntervalSince1970,
                    ])
            }
            if let id = commit.replayDelivered {
                try db.execute(sql: "DELETE FROM dead_letter WHERE id = ?", arguments: [id])
            }
            if let failed = commit.replayFailed {
                try db.execute(
                    sql: "UPDATE dead_letter SET attempts = ?, last_error = ?, replay_requested_at = NULL WHERE id = ?",
                    arguments: [failed.attempts, failed.error, failed.id])
            }
            try Self.tally(commit.delivered, subscription: state.subscription, at: commit.at, in: db)
        }
    }

    public func setPaused(subscription: String, paused: Bool, audit: AuditEvent) async throws {
        try await writeAudited(audit) { db in
            guard try Self.subscription(id: subscription, in: db) != nil else {
                throw ShareBusError(.subscriptionNotFound, "no subscription \(subscription)")
            }
            try db.execute(
                sql: """
                    INSERT INTO delivery_state (subscription, paused) VALUES (?, ?)
                    ON CONFLICT(subscription) DO UPDATE SET paused = excluded.paused
                    """,
                arguments: [subscription, paused])
        }
    }

    public func recordPullDelivery(subscription: String, through: Int64, messages: Int, at: Date, audit: AuditEvent) async throws {
        try await writeAudited(audit) { db in
            try db.execute(
                sql: "UPDATE subscription SET delivered = MAX(delivered, ?) WHERE id = ?", arguments: [through, subscription])
            guard messages > 0 else { return }
            try db.execute(
                sql: """
                    INSERT INTO delivery_state (subscription, last_delivery_at) VALUES (?, ?)
                    ON CONFLICT(subscription) DO UPDATE SET last_delivery_at = excluded.last_delivery_at
                    """,
                arguments: [subscription, at.timeIntervalSince1970])
            try Self.tally(messages, subscription: subscription, at: at, in: db)
        }
    }

    /// Adds `messages` to the subscription's count for the minute of `at`; minutes older than an
    /// hour are dropped, the rate only looks at the last few.
    static func tally(_ messages: Int, subscription: String, at: Date, in db: Database) throws {
        guard messages > 0 else { return }
        let minute = Int64((at.timeIntervalSince1970 / 60).rounded(.down))
        try db.execute(
            sql: """
                INSERT INTO delivery_tally (subscription, minute, messages) VALUES (?, ?, ?)
                ON CONFLICT(subscription, minute) DO UPDATE SET messages = messages + excluded.messages
                """,
            arguments: [subscription, minute, messages])
        try db.execute(
            sql: "DELETE FROM delivery_tally WHERE subscription = ? AND minute < ?", arguments: [subscription, minute - 60])
    }

    static func deliveryState(_ row: Row, subscription: String) -> DeliveryState {
        var batch: DeliveryState.Batch?
        if let first: Int64 = row["batch_first"], let last: Int64 = row["batch_last"] {
            batch = DeliveryState.Batch(
                first: first, last: last, replayOf: row["batch_replay"], attempts: row["attempts"] ?? 0,
                firstAttemptAt: date(row["first_attempt_at"]))
        }
        return DeliveryState(
            subscription: subscription, paused: row["paused"] ?? false, batch: batch, nextAttemptAt: date(row["next_attempt_at"]),
            lastAttemptAt: date(row["last_attempt_at"]), lastError: row["last_error"],
            consecutiveFailures: row["consecutive_failures"] ?? 0, lastDeliveryAt: date(row["last_delivery_at"]))
    }

    static func date(_ seconds: Double?) -> Date? { seconds.map(Date.init(timeIntervalSince1970:)) }
    static func seconds(_ date: Date?) -> Double? { date?.timeIntervalSince1970 }
}
