public import Foundation
import Logging
import PostgresNIO
import ShareBusCore
public import ShareBusStore

/// Push delivery state: the batch in hand, its retries, the operator's pause, and the per-minute
/// tally behind the delivery rate. Dead letters and queue figures are in `PostgresStore+DeadLetters`.
extension PostgresStore {
    static let deliveryColumns = """
        d.paused, d.batch_first, d.batch_last, d.batch_replay, d.attempts, d.first_attempt_at, d.next_attempt_at,
        d.last_attempt_at, d.last_error, d.consecutive_failures, d.last_delivery_at
        """

    public func deliveryState(subscription: String) async throws -> DeliveryState? {
        try await rows(
            PostgresQuery(
                unsafeSQL: "SELECT \(Self.deliveryColumns) FROM delivery_state d WHERE d.subscription = $1", binds: Self.binds(subscription))
        ).first.map { try Self.deliveryState($0, subscription: subscription) }
    }

    public func pushCandidates() async throws -> [PushCandidate] {
        // The LIKE only narrows the scan (the body is compact JSON with sorted keys); decoding decides.
        let rows = try await rows(
            PostgresQuery(
                unsafeSQL: """
                    SELECT s.body, s.cursor, COALESCE(h.head, 0) AS head, \(Self.deliveryColumns)
                    FROM subscription s
                    LEFT JOIN log_head h ON h.resource = s.resource
                    LEFT JOIN delivery_state d ON d.subscription = s.id
                    WHERE s.status = 'active' AND s.body LIKE '%"mode":"push"%'
                    ORDER BY s.id
                    """))
        var replays: [String: DeadLetter] = [:]
        for row in try await self.rows(
            PostgresQuery(
                unsafeSQL: "SELECT \(Self.deadLetterColumns) FROM dead_letter WHERE replay_requested_at IS NOT NULL ORDER BY replay_requested_at, first_sequence"))
        {
            let letter = try Self.deadLetter(row)
            if replays[letter.subscription] == nil { replays[letter.subscription] = letter }
        }
        return try rows.compactMap { row -> PushCandidate? in
            let subscription = try Self.subscription(row)
            guard subscription.delivery.mode == .push else { return nil }
            return PushCandidate(
                subscription: subscription, head: try row.makeRandomAccess()["head"].decode(Int64.self),
                state: try Self.deliveryState(row, subscription: subscription.id), replay: replays[subscription.id])
        }
    }

    public func commitPush(_ commit: PushCommit, audit: AuditEvent) async throws {
        try await writeAudited(audit) { [logger] connection in
            let state = commit.state
            let batch = state.batch
            try await connection.query(
                """
                INSERT INTO delivery_state (subscription, batch_first, batch_last, batch_replay, attempts, first_attempt_at,
                    next_attempt_at, last_attempt_at, last_error, consecutive_failures, last_delivery_at)
                VALUES (\(state.subscription), \(batch?.first), \(batch?.last), \(batch?.replayOf), \(Int64(batch?.attempts ?? 0)),
                    \(Self.seconds(batch?.firstAttemptAt)), \(Self.seconds(state.nextAttemptAt)), \(Self.seconds(state.lastAttemptAt)),
                    \(state.lastError), \(Int64(state.consecutiveFailures)), \(Self.seconds(state.lastDeliveryAt)))
                ON CONFLICT (subscription) DO UPDATE SET batch_first = excluded.batch_first, batch_last = excluded.batch_last,
                    batch_replay = excluded.batch_replay, attempts = excluded.attempts, first_attempt_at = excluded.first_attempt_at,
                    next_attempt_at = excluded.next_attempt_at, last_attempt_at = excluded.last_attempt_at,
                    last_error = excluded.last_error, consecutive_failures = excluded.consecutive_failures,
                    last_delivery_at = excluded.last_delivery_at
                """, logger: logger)
            if let through = commit.moveCursor,
                var subscription = try await Self.lockedSubscription(id: state.subscription, on: connection, logger: logger)?.subscription,
                through > subscription.cursor
            {
                subscription.cursor = through
                try await connection.query(
                    """
                    UPDATE subscription SET cursor = \(through), delivered = GREATEST(delivered, \(through)),
                        body = \(try Self.encode(subscription)) WHERE id = \(subscription.id)
                    """, logger: logger)
            }
            if let letter = commit.deadLetter {
                try await connection.query(
                    """
                    INSERT INTO dead_letter (id, subscription, first_sequence, last_sequence, size_bytes, attempts, last_error, created_at)
                    VALUES (\(letter.id), \(letter.subscription), \(letter.firstSequence), \(letter.lastSequence), \(Int64(letter.sizeBytes)),
                        \(Int64(letter.attempts)), \(letter.lastError), \(letter.createdAt.timeIntervalSince1970))
                    """, logger: logger)
            }
            if let id = commit.replayDelivered {
                try await connection.query("DELETE FROM dead_letter WHERE id = \(id)", logger: logger)
            }
            if let failed = commit.replayFailed {
                try await connection.query(
                    """
                    UPDATE dead_letter SET attempts = \(Int64(failed.attempts)), last_error = \(failed.error), replay_requested_at = NULL
                    WHERE id = \(failed.id)
                    """, logger: logger)
            }
            try await Self.tally(commit.delivered, subscription: state.subscription, at: commit.at, on: connection, logger: logger)
        }
    }

    public func setPaused(subscription: String, paused: Bool, audit: AuditEvent) async throws {
        try await writeAudited(audit) { [logger] connection in
            guard try await Self.lockedSubscription(id: subscription, on: connection, logger: logger) != nil else {
                throw ShareBusError(.subscriptionNotFound, "no subscription \(subscription)")
            }
            try await connection.query(
                """
                INSERT INTO delivery_state (subscription, paused) VALUES (\(subscription), \(paused))
                ON CONFLICT (subscription) DO UPDATE SET paused = excluded.paused
                """, logger: logger)
        }
    }

    public func recordPullDelivery(subscription: String, through: Int64, messages: Int, at: Date, audit: AuditEvent) async throws {
        try await writeAudited(audit) { [logger] connection in
            try await connection.query(
                "UPDATE subscription SET delivered = GREATEST(delivered, \(through)) WHERE id = \(subscription)", logger: logger)
            guard messages > 0 else { return }
            try await connection.query(
                """
                INSERT INTO delivery_state (subscription, last_delivery_at) VALUES (\(subscription), \(at.timeIntervalSince1970))
                ON CONFLICT (subscription) DO UPDATE SET last_delivery_at = excluded.last_delivery_at
                """, logger: logger)
            try await Self.tally(messages, subscription: subscription, at: at, on: connection, logger: logger)
        }
    }

    /// Adds `messages` to the subscription's count for the minute of `at`; minutes older than an
    /// hour are dropped, the rate only looks at the last few.
    static func tally(_ messages: Int, subscription: String, at: Date, on connection: PostgresConnection, logger: Logger) async throws {
        guard messages > 0 else { return }
        let minute = Int64((at.timeIntervalSince1970 / 60).rounded(.down))
        try await connection.query(
            """
            INSERT INTO delivery_tally (subscription, minute, messages) VALUES (\(subscription), \(minute), \(Int64(messages)))
            ON CONFLICT (subscription, minute) DO UPDATE SET messages = delivery_tally.messages + excluded.messages
            """, logger: logger)
        try await connection.query(
            "DELETE FROM delivery_tally WHERE subscription = \(subscription) AND minute < \(minute - 60)", logger: logger)
    }

    /// Reads the `deliveryColumns` of a row (all null when the subscription has no state yet).
    static func deliveryState(_ row: PostgresRow, subscription: String) throws -> DeliveryState {
        let cells = row.makeRandomAccess()
        func value<T: PostgresDecodable>(_ name: String, _ type: T.Type) throws -> T? where T._DecodableType == T {
            try cells[name].decode(T?.self)
        }
        var batch: DeliveryState.Batch?
        if let first = try value("batch_first", Int64.self), let last = try value("batch_last", Int64.self) {
            batch = DeliveryState.Batch(
                first: first, last: last, replayOf: try value("batch_replay", String.self), attempts: Int(try value("attempts", Int64.self) ?? 0),
                firstAttemptAt: date(try value("first_attempt_at", Double.self)))
        }
        return DeliveryState(
            subscription: subscription, paused: try value("paused", Bool.self) ?? false, batch: batch,
            nextAttemptAt: date(try value("next_attempt_at", Double.self)), lastAttemptAt: date(try value("last_attempt_at", Double.self)),
            lastError: try value("last_error", String.self), consecutiveFailures: Int(try value("consecutive_failures", Int64.self) ?? 0),
            lastDeliveryAt: date(try value("last_delivery_at", Double.self)))
    }

    static func date(_ seconds: Double?) -> Date? { seconds.map(Date.init(timeIntervalSince1970:)) }
    static func seconds(_ date: Date?) -> Double? { date?.timeIntervalSince1970 }
}
