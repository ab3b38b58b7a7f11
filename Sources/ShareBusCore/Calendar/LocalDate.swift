public import Foundation

/// A calendar day (proleptic Gregorian) with no time zone: birth dates, holidays, working days.
///
/// Arithmetic goes through a day count since 1970-01-01 (Howard Hinnant's civil-date algorithms)
/// so nothing depends on `Calendar`, locale or the host's time zone.
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// China Standard Time, UTC+8 all year (no daylight saving since 1991): the bus's civil day.
    public static let chinaUTCOffset = 8 * 3600

    /// Nil unless the day exists (month 1...12, day within the month, year 0...9999).
    public init?(year: Int, month: Int, day: Int) {
        guard (0...9999).contains(year), (1...12).contains(month),
            (1...Self.daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD`; nil for any other shape or a day that does not exist.
    public init?(_ text: String) {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
            let y = Self.digits(b[0..<4]), let m = Self.digits(b[5..<7]), let d = Self.digits(b[8..<10])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Parses exactly `YYYYMMDD` (the form inside a citizen id number).
    public init?(compact text: String) {
        let b = Array(text.utf8)
        guard b.count == 8, let y = Self.digits(b[0..<4]), let m = Self.digits(b[4..<6]), let d = Self.digits(b[6..<8])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let m = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        month = m
        day = doy - (153 * mp + 2) / 5 + 1
    }

    /// The civil day that `date` falls on at a fixed UTC offset (default China Standard Time).
    public init(_ date: Date, utcOffset: Int = LocalDate.chinaUTCOffset) {
        let seconds = Int((date.timeIntervalSince1970 + Double(utcOffset)).rounded(.down))
        self.init(daysSinceEpoch: Self.floorDiv(seconds, 86_400))
    }

    /// Today at a fixed UTC offset. Reads the clock: only for defaults at the edge, never in logic.
    public static func today(utcOffset: Int = LocalDate.chinaUTCOffset) -> LocalDate {
        LocalDate(Date(), utcOffset: utcOffset)
    }

    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// ISO 8601 weekday: 1 Monday ... 7 Sunday.
    public var weekday: Int { (Self.floorMod(daysSinceEpoch + 3, 7)) + 1 }

    public var isWeekend: Bool { weekday >= 6 }

    public func adding(days: Int) -> LocalDate { LocalDate(daysSinceEpoch: daysSinceEpoch + days) }

    /// The instant this day begins at a fixed UTC offset.
    public func start(utcOffset: Int = LocalDate.chinaUTCOffset) -> Date {
        Date(timeIntervalSince1970: Double(daysSinceEpoch * 86_400 - utcOffset))
    }

    public var description: String {
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// `YYYYMMDD`.
    public var compactDescription: String { description.replacingOccurrences(of: "-", with: "") }

    public static func < (a: LocalDate, b: LocalDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// The value of a run of ASCII digits, nil if any byte is not a digit.
    static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for b in bytes {
            guard b >= 0x30, b <= 0x39 else { return nil }
            value = value * 10 + Int(b - 0x30)
        }
        return value
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int { (a - floorMod(a, b)) / b }
    static func floorMod(_ a: Int, _ b: Int) -> Int { ((a % b) + b) % b }
}

extension LocalDate: Codable {
    /// Coded as the string `YYYY-MM-DD`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = LocalDate(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(text) is not a YYYY-MM-DD date")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
