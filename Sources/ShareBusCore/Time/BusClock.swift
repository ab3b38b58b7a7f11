public import Foundation

/// Where the bus reads the time. Passed in everywhere, so tests can move it
/// (deadlines, `createdAt` skew, backoff, checkpoints).
public protocol BusClock: Sendable {
    func now() -> Date
}

/// The system's wall clock.
public struct SystemClock: BusClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock a test sets and moves by hand.
public final class ManualClock: BusClock, @unchecked Sendable {
    // @unchecked: every access to `current` goes through `lock`.
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date) { current = start }

    public func now() -> Date { lock.withLock { current } }
    public func set(_ date: Date) { lock.withLock { current = date } }
    public func advance(by seconds: TimeInterval) { lock.withLock { current += seconds } }
}

/// The bus's one textual form of an instant: RFC 3339 in UTC, with milliseconds when they are not zero.
public enum Timestamp {
    public static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = seconds.rounded(.down)
        let millis = Int(((seconds - whole) * 1000).rounded(.down))
        var tm = tm()
        var t = time_t(whole)
        gmtime_r(&t, &tm)
        let base = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1, Int(tm.tm_mday),
            Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec))
        return millis == 0 ? base + "Z" : base + String(format: ".%03dZ", millis)
    }
}
