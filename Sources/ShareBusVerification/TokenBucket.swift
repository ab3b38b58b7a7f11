public import Foundation

/// A token bucket: up to `capacity` tokens, refilled at `ratePerSecond`; a request takes one.
///
/// A plain value: the time is passed in, so tests move it by hand.
public struct TokenBucket: Sendable, Hashable {
    public let capacity: Double
    public let ratePerSecond: Double
    public private(set) var tokens: Double
    public private(set) var updated: Date

    /// A full bucket.
    public init(capacity: Double, ratePerSecond: Double, now: Date) {
        self.capacity = max(1, capacity)
        self.ratePerSecond = max(0, ratePerSecond)
        tokens = self.capacity
        updated = now
    }

    /// Adds the tokens earned since the last update (never beyond capacity; time going backwards earns none).
    public mutating func refill(now: Date) {
        let elapsed = now.timeIntervalSince(updated)
        guard elapsed > 0 else { return }
        tokens = min(capacity, tokens + elapsed * ratePerSecond)
        updated = now
    }

    /// Seconds until a token is available after `refill`; 0 when one is there now.
    public var wait: TimeInterval {
        guard tokens < 1 else { return 0 }
        guard ratePerSecond > 0 else { return .infinity }
        return (1 - tokens) / ratePerSecond
    }

    /// Takes a token; call only when `wait` is 0.
    public mutating func take() {
        tokens -= 1
    }

    /// Whether the bucket, refilled to `now`, is as a new one would be (so it can be forgotten).
    public func isFull(now: Date) -> Bool {
        var copy = self
        copy.refill(now: now)
        return copy.tokens >= copy.capacity
    }
}
