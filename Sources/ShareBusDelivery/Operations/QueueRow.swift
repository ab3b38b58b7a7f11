public import Foundation
import ShareBusCore
public import ShareBusStore

/// One subscription's queue as operators see it (`GET /v1/ops/queues`, `sharebus queues`, the
/// dashboard, the metrics): where it stands and how delivery goes, never a record value.
public struct QueueRow: Sendable, Hashable, Codable {
    public var subscription: String
    public var consumer: String
    public var resource: String
    /// `pull` or `push`.
    public var mode: String
    /// The subscription's status, or `paused` for an active one an operator paused.
    public var status: String
    /// An operator paused delivery (whatever the status).
    public var paused: Bool
    public var cursor: Int64
    /// The last sequence of the resource's log.
    public var head: Int64
    /// Messages after the cursor: `head - cursor`.
    public var depth: Int64
    /// Seconds since the first unacknowledged message was accepted; nil when there is none.
    public var oldestUnackedAgeSeconds: Int?
    /// Messages delivered per minute, averaged over the last `OperationsService.rateWindowMinutes`.
    public var deliveryRatePerMinute: Double
    /// Failed push attempts since the last success.
    public var consecutiveFailures: Int
    /// Batches in the dead-letter queue.
    public var deadLetters: Int
    public var lastDeliveryAt: String?
    public var lastError: String?
    /// When the batch in hand is tried again, while it waits for a retry.
    public var nextAttemptAt: String?

    public init(_ figures: QueueFigures, now: Date, windowMinutes: Int) {
        let subscription = figures.subscription
        let state = figures.state
        self.subscription = subscription.id
        consumer = subscription.consumer
        resource = subscription.resource
        mode = subscription.delivery.mode.rawValue
        paused = state.paused
        status = state.paused && subscription.status == .active ? "paused" : subscription.status.rawValue
        cursor = subscription.cursor
        head = figures.head
        depth = max(0, figures.head - subscription.cursor)
        if depth > 0, let text = figures.oldestUnacknowledgedAt, let accepted = Formats.parseDateTime(text) {
            oldestUnackedAgeSeconds = max(0, Int(now.timeIntervalSince(accepted).rounded(.down)))
        }
        let rate = Double(figures.recentlyDelivered) / Double(max(1, windowMinutes))
        deliveryRatePerMinute = (rate * 100).rounded() / 100
        consecutiveFailures = state.consecutiveFailures
        deadLetters = figures.deadLetters
        lastDeliveryAt = state.lastDeliveryAt.map(Timestamp.format)
        lastError = state.lastError
        nextAttemptAt = state.batch == nil ? nil : state.nextAttemptAt.map(Timestamp.format)
    }

    enum CodingKeys: String, CodingKey {
        case subscription, consumer, resource, mode, status, paused, cursor, head, depth, oldestUnackedAgeSeconds
        case deliveryRatePerMinute, consecutiveFailures, deadLetters, lastDeliveryAt, lastError, nextAttemptAt
    }

    /// Every member on every row, `null` when there is nothing to say, so a table never lacks a column.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(subscription, forKey: .subscription)
        try container.encode(consumer, forKey: .consumer)
        try container.encode(resource, forKey: .resource)
        try container.encode(mode, forKey: .mode)
        try container.encode(status, forKey: .status)
        try container.encode(paused, forKey: .paused)
        try container.encode(cursor, forKey: .cursor)
        try container.encode(head, forKey: .head)
        try container.encode(depth, forKey: .depth)
        try container.encode(oldestUnackedAgeSeconds, forKey: .oldestUnackedAgeSeconds)
        try container.encode(deliveryRatePerMinute, forKey: .deliveryRatePerMinute)
        try container.encode(consecutiveFailures, forKey: .consecutiveFailures)
        try container.encode(deadLetters, forKey: .deadLetters)
        try container.encode(lastDeliveryAt, forKey: .lastDeliveryAt)
        try container.encode(lastError, forKey: .lastError)
        try container.encode(nextAttemptAt, forKey: .nextAttemptAt)
    }
}

/// A dead letter as operators see it: the range, its size and how delivery failed, never records.
public struct DeadLetterView: Sendable, Hashable, Codable {
    public var id: String
    public var subscription: String
    public var firstSequence: Int64
    public var lastSequence: Int64
    public var count: Int
    public var sizeBytes: Int
    public var attempts: Int
    public var lastError: String
    public var createdAt: String
    /// `dead`, or `replaying` once an operator asked for a replay that has not yet succeeded.
    public var status: String
    public var replayRequestedAt: String?

    public init(_ letter: DeadLetter) {
        id = letter.id
        subscription = letter.subscription
        firstSequence = letter.firstSequence
        lastSequence = letter.lastSequence
        count = letter.count
        sizeBytes = letter.sizeBytes
        attempts = letter.attempts
        lastError = letter.lastError
        createdAt = Timestamp.format(letter.createdAt)
        status = letter.replayRequestedAt == nil ? "dead" : "replaying"
        replayRequestedAt = letter.replayRequestedAt.map(Timestamp.format)
    }
}
