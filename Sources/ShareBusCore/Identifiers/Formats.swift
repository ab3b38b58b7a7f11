public import Foundation

/// Validators and formatters for the string formats of protocol section 4: `date`, `datetime`,
/// `phone` and `geoPoint`. Hand-written rather than `DateFormatter`/`ISO8601DateFormatter` so the
/// accepted grammar is exactly the RFC's and nothing depends on the host locale or time zone.
public enum Formats {
    /// `YYYY-MM-DD` naming a day that exists in the proleptic Gregorian calendar.
    public static func isValidDate(_ s: String) -> Bool { LocalDate(s) != nil }

    /// RFC 3339 `date-time`: `T` or `t` between date and time, optional fractional seconds,
    /// `Z`/`z` or a `±hh:mm` offset. A leap second (`:60`) is accepted only where one can occur,
    /// at 23:59 UTC.
    public static func isValidDateTime(_ s: String) -> Bool { RFC3339DateTime(s) != nil }

    /// The instant an RFC 3339 date-time names, nil if it is not one. A leap second is read as
    /// the first instant of the next minute, as POSIX time does.
    public static func parseDateTime(_ s: String) -> Date? {
        guard let t = RFC3339DateTime(s) else { return nil }
        let whole = t.date.daysSinceEpoch * 86_400 + t.hour * 3600 + t.minute * 60 + t.second - t.offsetSeconds
        return Date(timeIntervalSince1970: Double(whole) + t.fraction)
    }

    /// `2026-11-22T12:00:00Z`: UTC, whole seconds (any fraction is truncated).
    public static func formatDateTime(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        return utcStamp(seconds: seconds, millis: nil)
    }

    /// `2026-11-22T12:00:00.123Z`: UTC with milliseconds (rounded to the nearest).
    public static func formatDateTimeMillis(_ date: Date) -> String {
        let millis = Int((date.timeIntervalSince1970 * 1000).rounded())
        return utcStamp(seconds: LocalDate.floorDiv(millis, 1000), millis: LocalDate.floorMod(millis, 1000))
    }

    private static func utcStamp(seconds: Int, millis: Int?) -> String {
        let day = LocalDate(daysSinceEpoch: LocalDate.floorDiv(seconds, 86_400))
        let t = LocalDate.floorMod(seconds, 86_400)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var s = "\(day)T\(two(t / 3600)):\(two(t / 60 % 60)):\(two(t % 60))"
        if let millis { s += "." + String(String(millis + 1000).dropFirst()) }
        return s + "Z"
    }
}

/// The parts of an RFC 3339 date-time, checked for range.
struct RFC3339DateTime {
    var date: LocalDate
    var hour: Int
    var minute: Int
    var second: Int
    var fraction: Double
    var offsetSeconds: Int

    init?(_ s: String) {
        let b = Array(s.utf8)
        guard b.count >= 20, let date = LocalDate(String(decoding: b[0..<10], as: UTF8.self)),
            b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
            b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
            let hour = LocalDate.digits(b[11..<13]), let minute = LocalDate.digits(b[14..<16]),
            let second = LocalDate.digits(b[17..<19]),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }
        var i = 19
        var fraction = 0.0
        if b[i] == UInt8(ascii: ".") {
            let start = i + 1
            i = start
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            guard i > start, let f = Double("0." + String(decoding: b[start..<i], as: UTF8.self)) else { return nil }
            fraction = f
        }
        guard i < b.count else { return nil }
        var offset = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            guard i + 1 == b.count else { return nil }
        } else {
            guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), b.count == i + 6, b[i + 3] == UInt8(ascii: ":"),
                let oh = LocalDate.digits(b[(i + 1)..<(i + 3)]), let om = LocalDate.digits(b[(i + 4)..<(i + 6)]),
                oh <= 23, om <= 59
            else { return nil }
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
        }
        if second == 60 {
            // Leap seconds are inserted at the end of a UTC day only.
            let utcMinute = LocalDate.floorMod(hour * 60 + minute - offset / 60, 1440)
            guard utcMinute == 23 * 60 + 59 else { return nil }
        }
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
        self.fraction = fraction
        self.offsetSeconds = offset
    }
}
