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
    /// `YYYY-MM-DDTHH:MM:SSZ`, with `.mmm` before the `Z` when there are milliseconds, in UTC.
    public static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = seconds.rounded(.down)
        let millis = Int(((seconds - whole) * 1000).rounded(.down))
        var tm = tm()
        var t = time_t(whole)
        gmtime_r(&t, &tm)
        var out: [UInt8] = []
        out.reserveCapacity(24)
        func digits(_ value: Int, _ width: Int, then separator: UInt8?) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(truncatingIfNeeded: 0x30 + (rest / divisor) % 10))
                rest %= divisor
                divisor /= 10
            }
            if let separator { out.append(separator) }
        }
        digits(Int(tm.tm_year) + 1900, 4, then: UInt8(ascii: "-"))
        digits(Int(tm.tm_mon) + 1, 2, then: UInt8(ascii: "-"))
        digits(Int(tm.tm_mday), 2, then: UInt8(ascii: "T"))
        digits(Int(tm.tm_hour), 2, then: UInt8(ascii: ":"))
        digits(Int(tm.tm_min), 2, then: UInt8(ascii: ":"))
        digits(Int(tm.tm_sec), 2, then: millis == 0 ? nil : UInt8(ascii: "."))
        if millis != 0 { digits(millis, 3, then: nil) }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }
}
