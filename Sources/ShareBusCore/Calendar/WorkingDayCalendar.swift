public import Foundation

/// Which days are working days for approval deadlines: Monday to Friday, except the State
/// Council's public holidays, plus the weekend days it declares working days (调休上班).
///
/// Civil days are taken at a fixed UTC offset (China Standard Time, UTC+8, by default). Years
/// with no data fall back to plain weekends; `covers(year:)` says whether a year has data.
public struct WorkingDayCalendar: Sendable {
    public struct Entry: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable, Codable {
            /// A day off, whatever its weekday.
            case holiday
            /// A working day, whatever its weekday (an adjusted weekend, 调休上班).
            case workday
        }
        public var date: LocalDate
        public var kind: Kind
        public var name: String

        public init(date: LocalDate, kind: Kind, name: String) {
            self.date = date
            self.kind = kind
            self.name = name
        }
    }

    public private(set) var entries: [LocalDate: Entry] = [:]
    /// Where each year's arrangement comes from (the State Council notice, or a derivation).
    public private(set) var sources: [Int: String] = [:]
    public var utcOffset: Int

    /// A calendar of plain weekends, with no holidays.
    public init(utcOffset: Int = LocalDate.chinaUTCOffset) {
        self.utcOffset = utcOffset
    }

    /// A calendar from data in the text format of `ChinaHolidays` (see `merging(_:)`).
    public init(data: String, utcOffset: Int = LocalDate.chinaUTCOffset) throws {
        self.init(utcOffset: utcOffset)
        try merge(data)
    }

    /// The shipped China calendar with `extra` (e.g. a newer year's notice read from a file)
    /// merged over it; `extra`'s entries override shipped ones for the same day.
    public init(adding extra: String) throws {
        self = try Self.china.merging(extra)
    }

    /// China's public holidays as shipped in `ChinaHolidays`. The data is a constant checked by the
    /// tests, so failing to parse it is a programming error.
    public static let china: WorkingDayCalendar = {
        do {
            return try WorkingDayCalendar(data: ChinaHolidays.data)
        } catch {
            preconditionFailure("shipped holiday data does not parse: \(error)")
        }
    }()

    /// This calendar with `text`'s entries and sources added; later entries override earlier ones.
    public func merging(_ text: String) throws -> WorkingDayCalendar {
        var copy = self
        try copy.merge(text)
        return copy
    }

    public mutating func merge(_ text: String) throws {
        let parsed = try Self.parse(text)
        for entry in parsed.entries { entries[entry.date] = entry }
        sources.merge(parsed.sources) { _, new in new }
    }

    public func covers(year: Int) -> Bool { sources[year] != nil }

    public func entry(on date: LocalDate) -> Entry? { entries[date] }

    public func isWorkingDay(_ date: LocalDate) -> Bool {
        switch entries[date]?.kind {
        case .holiday: false
        case .workday: true
        case nil: !date.isWeekend
        }
    }

    /// The deadline `n` working days after the day `date` falls on: the instant the n-th working
    /// day after that day ends, i.e. 00:00 local time of the following day. The request day itself
    /// never counts, whatever the hour. `n <= 0` gives the end of the request day.
    public func addingWorkingDays(_ n: Int, to date: Date) -> Date {
        var day = LocalDate(date, utcOffset: utcOffset)
        var counted = 0
        while counted < n {
            day = day.adding(days: 1)
            if isWorkingDay(day) { counted += 1 }
        }
        return day.adding(days: 1).start(utcOffset: utcOffset)
    }

    /// Working days after `now`'s day that end by `due`, so that right after a request
    /// `workingDaysRemaining(from: t, until: addingWorkingDays(n, to: t)) == n`. The day `now` is in
    /// does not count; 0 once `due` has passed or is within today.
    public func workingDaysRemaining(from now: Date, until due: Date) -> Int {
        guard now < due else { return 0 }
        let today = LocalDate(now, utcOffset: utcOffset)
        // The last day that has ended by `due` is the day before the one `due` falls in.
        let last = LocalDate(due, utcOffset: utcOffset).adding(days: -1)
        var count = 0
        var day = today.adding(days: 1)
        while day <= last {
            if isWorkingDay(day) { count += 1 }
            day = day.adding(days: 1)
        }
        return count
    }
}
