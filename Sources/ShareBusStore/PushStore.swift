public import Foundation
public import ShareBusCore

/// Where delivery of one subscription stands: the operator's pause, and for push delivery the
/// batch in hand with its retry bookkeeping. Kept in the store so a restart resumes exactly here.
public struct DeliveryState: Sendable, Hashable {
    /// A range of the resource's log being pushed, and how its attempts went.
    public struct Batch: Sendable, Hashable {
        public var first: Int64
        public var last: Int64
        /// The dead letter this batch replays; nil for the live batch after the cursor.
        public var replayOf: String?
        /// Failed attempts so far.
        public var attempts: Int
        /// When the batch was first tried; its age is measured from here.
        public var firstAttemptAt: Date?

        public init(first: Int64, last: Int64, replayOf: String? = nil, attempts: Int = 0, firstAttemptAt: Date? = nil) {
            self.first = first
            self.last = last
            self.replayOf = replayOf
            self.attempts = attempts
            self.firstAttemptAt = firstAttemptAt
        }

        public var count: Int { Int(last - first + 1) }
    }

    public var subscription: String
    /// An operator paused delivery: no push attempts, and pulls answer `subscription-not-active`.
    public var paused: Bool
    public var batch: Batch?
    public var nextAttemptAt: Date?
    public var lastAttemptAt: Date?
    public var lastError: String?
    /// Failed attempts since the last success, across batches.
    public var consecutiveFailures: Int
    public var lastDeliveryAt: Date?

    public init(
        subscription: String, paused: Bool = false, batch: Batch? = nil, nextAttemptAt: Date? = nil, lastAttemptAt: Date? = nil,
        lastError: String? = nil, consecutiveFailures: Int = 0, lastDeliveryAt: Date? = nil
    ) {
        self.subscription = subscription
        self.paused = paused
        self.batch = batch
        self.nextAttemptAt = nextAttemptAt
        self.lastAttemptAt = lastAttemptAt
        self.lastError = lastError
        self.consecutiveFailures = consecutiveFailures
        self.lastDeliveryAt = lastDeliveryAt
    }
}

/// A pushed batch that failed every attempt, kept for operators to replay or discard. It names a
/// range of the log, never record values: a replay reads the records again.
public struct DeadLetter: Sendable, Hashable {
    public var id: String
    public var subscription: String
    public var firstSequence: Int64
    public var lastSequence: Int64
    /// Bytes of the last delivery body that was refused.
    public var sizeBytes: Int
    public var attempts: Int
    public var lastError: String
    public var createdAt: Date
    /// Set while an operator's replay waits for (or is in) delivery.
    public var replayRequestedAt: Date?

    public init(
        id: String, subscription: String, firstSequence: Int64, lastSequence: Int64, sizeBytes: Int, attempts: Int, lastError: String,
        createdAt: Date, replayRequestedAt: Date? = nil
    ) {
        self.id = id
        self.subscription = subscription
        self.firstSequence = firstSequence
        self.lastSequence = lastSequence
        self.sizeBytes = sizeBytes
        self.attempts = attempts
        self.lastError = lastError
        self.createdAt = createdAt
        self.replayRequestedAt = replayRequestedAt
    }

    public var count: Int { Int(lastSequence - firstSequence + 1) }
}

/// An active push subscription with what the dispatcher needs to decide its next step.
public struct PushCandidate: Sendable {
    public var subscription: Subscription
    /// The last sequence of the subscription's resource log.
    public var head: Int64
    public var state: DeliveryState
    /// The oldest dead letter an operator asked to replay.
    public var replay: DeadLetter?

    public init(subscription: Subscription, head: Int64, state: DeliveryState, replay: DeadLetter?) {
        self.subscription = subscription
        self.head = head
        self.state = state
        self.replay = replay
    }
}

/// What one push attempt writes, in one transaction with its audit entry.
public struct PushCommit: Sendable {
    /// The new push bookkeeping (the pause flag is never written from here).
    public var state: DeliveryState
    /// Move the cursor to this sequence (a live batch acknowledged or dead-lettered).
    public var moveCursor: Int64?
    /// A new dead letter to file.
    public var deadLetter: DeadLetter?
    /// A replayed dead letter that is now delivered: removed.
    public var replayDelivered: String?
    /// A replayed dead letter that failed again: back in the queue with these figures.
    public var replayFailed: (id: String, attempts: Int, error: String)?
    /// Messages delivered, counted towards the delivery rate.
    public var delivered: Int
    public var at: Date

    public init(state: DeliveryState, at: Date) {
        self.state = state
        self.at = at
        delivered = 0
    }
}

/// One subscription's queue figures as stored; `OperationsService` derives the rest.
public struct QueueFigures: Sendable {
    public var subscription: Subscription
    public var head: Int64
    public var state: DeliveryState
    public var deadLetters: Int
    /// `acceptedAt` of the first unacknowledged message, when there is one.
    public var oldestUnacknowledgedAt: String?
    /// Messages delivered since the `since` minute asked for.
    public var recentlyDelivered: Int

    public init(
        subscription: Subscription, head: Int64, state: DeliveryState, deadLetters: Int, oldestUnacknowledgedAt: String?,
        recentlyDelivered: Int
    ) {
        self.subscription = subscription
        self.head = head
        self.state = state
        self.deadLetters = deadLetters
        self.oldestUnacknowledgedAt = oldestUnacknowledgedAt
        self.recentlyDelivered = recentlyDelivered
    }
}

/// Storage of push delivery state, dead letters and queue figures. Every mutation appends its
/// audit entry in the same transaction, like the rest of the store.
public protocol PushStore: Sendable {
    func deliveryState(subscription: String) async throws -> DeliveryState?
    /// Every active subscription delivered by push, with its head, state and first replay request.
    func pushCandidates() async throws -> [PushCandidate]
    /// Writes the outcome of a push attempt.
    func commitPush(_ commit: PushCommit, audit: AuditEvent) async throws
    /// Pauses or resumes delivery of a subscription.
    func setPaused(subscription: String, paused: Bool, audit: AuditEvent) async throws
    /// A pull handed out messages through `through`: what `recordDelivery` records, plus the time
    /// and count for the queue figures.
    func recordPullDelivery(subscription: String, through: Int64, messages: Int, at: Date, audit: AuditEvent) async throws
    func deadLetters(subscription: String) async throws -> [DeadLetter]
    /// Marks a dead letter for replay; `dead-letter-not-found` when it is not the subscription's.
    func requestReplay(subscription: String, deadLetter: String, at: Date, audit: AuditEvent) async throws -> DeadLetter
    /// Removes a dead letter (and drops it from delivery if a replay had started).
    func discardDeadLetter(subscription: String, deadLetter: String, audit: AuditEvent) async throws -> DeadLetter
    /// Figures of every subscription, in id order; `recentlyDelivered` counts minutes from `sinceMinute` on.
    func queueFigures(sinceMinute: Int64) async throws -> [QueueFigures]
    /// Claims the right to deliver `subscriptions` for `ttl` from `now`: granted for each one
    /// that no node holds, whose lease expired, or that `node` already holds (which renews it).
    /// Answers the subscriptions `node` now holds; the others belong to a live node.
    func claimPushLeases(node: String, subscriptions: [String], ttl: Duration, now: Date) async throws -> Set<String>
    /// Gives up every lease `node` holds, so that other nodes take its subscriptions at once.
    func releasePushLeases(node: String) async throws
}

/// Names of bus nodes sharing one store, for push leases and the logs.
public enum BusNode {
    /// A name unique to this process: the host, the process id and a random part (a restarted
    /// process on the same host never inherits its predecessor's leases by name).
    public static func makeIdentifier() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(random)"
    }

    /// The identifier of this process, made once.
    public static let current = makeIdentifier()
}

extension Duration {
    /// The duration in seconds, with its fraction.
    public var leaseSeconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
