public import Foundation

/// Exponential backoff with jitter (protocol section 6: 1 s doubling to 5 min).
///
/// After the n-th failed attempt the ceiling is `initial · 2^(n-1)`, capped at `maximum`; the
/// delay is that ceiling less a random share of at most `jitter` of it, so retries of many
/// subscriptions failing together spread out, and no delay ever exceeds the cap. A pure function
/// of its inputs: the caller passes the random draw in.
public struct RetrySchedule: Sendable, Hashable {
    /// First retry ceiling. Default 1 s.
    public var initial: TimeInterval = 1
    /// Largest delay. Default 300 s.
    public var maximum: TimeInterval = 300
    /// Largest share of a delay taken off at random, 0 to 1. Default 0.2.
    public var jitter: Double = 0.2

    public init(initial: TimeInterval = 1, maximum: TimeInterval = 300, jitter: Double = 0.2) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
    }

    /// The delay before the next attempt after `failures` failed attempts (at least 1).
    public func ceiling(afterFailures failures: Int) -> TimeInterval {
        let doublings = max(0, failures - 1)
        // 2^64 overflows long before; past 62 doublings every schedule is at its cap anyway.
        guard doublings < 62 else { return maximum }
        return min(maximum, initial * Double(UInt64(1) << UInt64(doublings)))
    }

    /// Whether a retry stored as due at `due` cannot have come from this schedule at `now`: it lies
    /// further ahead than the longest delay after `failures` failures (jitter only takes time off).
    /// Then the wall clock went back after the retry was scheduled, and the retry is due now.
    public func clockWentBack(due: Date, now: Date, afterFailures failures: Int) -> Bool {
        due.timeIntervalSince(now) > ceiling(afterFailures: max(1, failures)) + 1e-6
    }

    /// `ceiling` less `random` (a draw from 0..<1) times `jitter` of it.
    public func delay(afterFailures failures: Int, random: Double) -> TimeInterval {
        let share = min(max(jitter, 0), 1) * min(max(random, 0), 1)
        return ceiling(afterFailures: failures) * (1 - share)
    }
}
