public import Foundation
public import ShareBusStore

/// One push subscription's delivery, as a value-type state machine: each event takes the stored
/// `DeliveryState` and answers what to do. It reads no clock, opens no socket and writes nothing;
/// the dispatcher passes time and randomness in, performs the action and stores `state`.
///
/// Order per subscription: one batch at a time. The next batch starts only once the current one
/// is acknowledged or dead-lettered, and a live batch always starts right after the cursor.
/// An operator's replay of a dead letter goes between two live batches.
public struct PushStateMachine: Sendable {
    /// What the dispatcher knows of the subscription when it asks for the next step.
    public struct Situation: Sendable {
        public var cursor: Int64
        public var head: Int64
        /// The subscription is active (not pending, suspended or revoked).
        public var active: Bool
        /// The oldest dead letter an operator asked to replay.
        public var replay: DeadLetter?

        public init(cursor: Int64, head: Int64, active: Bool = true, replay: DeadLetter? = nil) {
            self.cursor = cursor
            self.head = head
            self.active = active
            self.replay = replay
        }
    }

    public enum Action: Sendable, Hashable {
        /// Nothing to send (caught up, paused or not active).
        case idle
        /// The batch in hand is waiting for its retry time.
        case wait(until: Date)
        /// POST this batch now.
        case send(DeliveryState.Batch)
    }

    public enum Outcome: Sendable, Hashable {
        /// A live batch was acknowledged: move the cursor to its last sequence.
        case acknowledge(DeliveryState.Batch)
        /// A replayed dead letter was delivered: remove it.
        case replayDelivered(DeliveryState.Batch)
        /// Try the same batch again at this time.
        case retry(at: Date)
        /// A live batch failed for good: file it as a dead letter and move the cursor past it.
        case deadLetter(DeliveryState.Batch, error: String)
        /// A replay failed for good: the dead letter stays, with its attempts added up.
        case replayFailed(DeliveryState.Batch, error: String)
    }

    public private(set) var state: DeliveryState
    /// Set by `next` when the stored retry time lay further ahead than the schedule allows: by how
    /// much the wall clock went back (the retry was treated as due).
    public private(set) var clockWentBack: TimeInterval?
    let configuration: DeliveryConfiguration

    /// A due time this close to now counts as reached: stored times pass through seconds since
    /// 1970 and can come back a rounding step later than they were computed.
    static let tolerance: TimeInterval = 1e-6

    public init(state: DeliveryState, configuration: DeliveryConfiguration) {
        self.state = state
        self.configuration = configuration
    }

    /// The next step. Starting an attempt records its time in `state`.
    public mutating func next(now: Date, _ situation: Situation) -> Action {
        guard !state.paused, situation.active else { return .idle }
        if let batch = state.batch {
            // A live batch acknowledged some other way meanwhile, or a replay whose dead letter
            // was discarded: nothing of it is owed any more.
            let settled = batch.replayOf == nil ? batch.last <= situation.cursor : batch.replayOf != situation.replay?.id
            if settled {
                state.batch = nil
                state.nextAttemptAt = nil
            }
        }
        if state.batch == nil {
            if let letter = situation.replay {
                state.batch = DeliveryState.Batch(first: letter.firstSequence, last: letter.lastSequence, replayOf: letter.id)
            } else if situation.head > situation.cursor {
                let last = min(situation.head, situation.cursor + Int64(max(1, configuration.batchSize)))
                state.batch = DeliveryState.Batch(first: situation.cursor + 1, last: last)
            } else {
                return .idle
            }
            state.nextAttemptAt = nil
        }
        if let due = state.nextAttemptAt, due.timeIntervalSince(now) > Self.tolerance {
            let failures = max(1, state.batch?.attempts ?? 1)
            guard configuration.retry.clockWentBack(due: due, now: now, afterFailures: failures) else { return .wait(until: due) }
            clockWentBack = due.timeIntervalSince(now) - configuration.retry.ceiling(afterFailures: failures)
            state.nextAttemptAt = nil
        }
        guard var batch = state.batch else { return .idle }
        batch.firstAttemptAt = batch.firstAttemptAt ?? now
        state.batch = batch
        state.lastAttemptAt = now
        return .send(batch)
    }

    /// The webhook answered 2xx.
    public mutating func delivered(now: Date) -> Outcome? {
        guard let batch = state.batch else { return nil }
        state.batch = nil
        state.nextAttemptAt = nil
        state.lastError = nil
        state.consecutiveFailures = 0
        state.lastDeliveryAt = now
        return batch.replayOf == nil ? .acknowledge(batch) : .replayDelivered(batch)
    }

    /// The attempt failed (`error` says how, never with record values); `random` is a draw from 0..<1.
    public mutating func failed(_ error: String, now: Date, random: Double) -> Outcome? {
        guard var batch = state.batch else { return nil }
        batch.attempts += 1
        state.consecutiveFailures += 1
        state.lastError = error
        let age = now.timeIntervalSince(batch.firstAttemptAt ?? now)
        if batch.attempts >= configuration.maxAttempts || age >= configuration.maxAge {
            state.batch = nil
            state.nextAttemptAt = nil
            return batch.replayOf == nil ? .deadLetter(batch, error: error) : .replayFailed(batch, error: error)
        }
        state.batch = batch
        let due = now + configuration.retry.delay(afterFailures: batch.attempts, random: random)
        state.nextAttemptAt = due
        return .retry(at: due)
    }
}
