import Foundation
import Testing

@testable import ShareBusCore

@Suite struct WorkingDayCalendarTests {
    let calendar = WorkingDayCalendar.china

    /// An instant given as Beijing wall-clock time.
    func beijing(_ text: String) throws -> Date {
        try #require(Formats.parseDateTime(text + "+08:00"))
    }

    func day(_ text: String) throws -> LocalDate { try #require(LocalDate(text)) }

    @Test(arguments: [
        // 2026, from the State Council notice
        ("2026-01-01", false), ("2026-01-02", false), ("2026-01-04", true), ("2026-01-05", true),
        ("2026-02-14", true), ("2026-02-16", false), ("2026-02-23", false), ("2026-02-24", true), ("2026-02-28", true),
        ("2026-04-06", false), ("2026-05-05", false), ("2026-05-09", true), ("2026-05-10", false), ("2026-06-19", false),
        ("2026-09-20", true), ("2026-09-25", false), ("2026-10-07", false), ("2026-10-08", true), ("2026-10-10", true),
        ("2026-10-11", false), ("2026-11-21", false), ("2026-11-23", true),
        // 2027, derived from the rules
        ("2027-01-01", false), ("2027-01-04", true), ("2027-01-31", true), ("2027-02-05", false), ("2027-02-12", false),
        ("2027-02-15", true), ("2027-02-20", true), ("2027-04-05", false), ("2027-05-05", false), ("2027-05-08", true),
        ("2027-06-09", false), ("2027-06-10", true), ("2027-09-15", false), ("2027-09-26", true), ("2027-10-07", false),
        ("2027-10-08", true), ("2027-10-09", true),
        // a year without data: plain weekends
        ("2028-01-01", false), ("2028-01-03", true),
    ])
    func knowsWorkingDays(_ date: String, _ working: Bool) throws {
        #expect(calendar.isWorkingDay(try day(date)) == working)
    }

    @Test func sourcesNameEachYear() {
        #expect(calendar.sources[2026]?.contains("国务院办公厅关于2026年部分节假日安排的通知") == true)
        #expect(calendar.sources[2027]?.contains("derived") == true)
        #expect(calendar.covers(year: 2026) && calendar.covers(year: 2027) && !calendar.covers(year: 2028))
        #expect(calendar.entry(on: LocalDate(year: 2026, month: 9, day: 20)!)?.name == "国庆节调休")
    }

    @Test func tenWorkingDaysAcrossNationalDay() throws {
        // Asked Thu 2026-09-24. 中秋 25-27 and 国庆 1-7 Oct are off; Sat 10 Oct is worked:
        // 28, 29, 30 Sep, 8, 9, 10, 12, 13, 14, 15 Oct — due by the end of Thu 15 Oct.
        let asked = try beijing("2026-09-24T10:30:00")
        let due = calendar.addingWorkingDays(10, to: asked)
        #expect(Formats.formatDateTime(due) == "2026-10-15T16:00:00Z")
        #expect(LocalDate(due) == LocalDate(year: 2026, month: 10, day: 16))
        #expect(calendar.workingDaysRemaining(from: asked, until: due) == 10)
    }

    @Test func adjustedSundayCountsBeforeNationalDay() throws {
        // Asked Fri 18 Sep: Sun 20 Sep is a working day, so 3 working days end on Tue 22 Sep.
        let due = calendar.addingWorkingDays(3, to: try beijing("2026-09-18T09:00:00"))
        #expect(due == (try beijing("2026-09-23T00:00:00")))
    }

    @Test(arguments: [
        ("2026-11-20T23:59:59", 1, "2026-11-24T00:00:00"),  // Fri late night: Mon is the first day
        ("2026-11-21T08:00:00", 1, "2026-11-24T00:00:00"),  // Sat
        ("2026-11-23T00:00:00", 1, "2026-11-25T00:00:00"),  // Mon: the request day never counts
        ("2026-11-23T12:00:00", 0, "2026-11-24T00:00:00"),
        ("2026-12-30T12:00:00", 3, "2027-01-06T00:00:00"),  // Thu 31 Dec, then 元旦 2027, Mon 4 and Tue 5 Jan
        ("2027-02-04T12:00:00", 1, "2027-02-16T00:00:00"),  // 春节 2027
    ])
    func addsWorkingDaysOverWeekendsAndHolidays(_ asked: String, _ n: Int, _ due: String) throws {
        #expect(calendar.addingWorkingDays(n, to: try beijing(asked)) == (try beijing(due)))
    }

    @Test func dayBoundaryIsBeijingNotUTC() throws {
        // 2026-11-20T16:30Z is already Saturday in Beijing, so Monday is the first working day.
        let asked = try #require(Formats.parseDateTime("2026-11-20T16:30:00Z"))
        #expect(calendar.addingWorkingDays(1, to: asked) == (try beijing("2026-11-24T00:00:00")))
    }

    @Test(arguments: [
        ("2026-10-12T09:00:00", 3, DeadlineState.due),
        ("2026-10-13T09:00:00", 2, .warning),
        ("2026-10-14T18:00:00", 1, .warning),
        ("2026-10-15T23:59:59", 0, .warning),
        ("2026-10-16T00:00:01", 0, .overdue),
        ("2026-10-20T09:00:00", 0, .overdue),
        ("2026-09-25T09:00:00", 10, .due),
        ("2026-10-09T09:00:00", 5, .due),
    ])
    func deadlineStateFollowsWorkingDaysLeft(_ now: String, _ remaining: Int, _ state: DeadlineState) throws {
        let due = calendar.addingWorkingDays(10, to: try beijing("2026-09-24T10:30:00"))
        let at = try beijing(now)
        #expect(calendar.workingDaysRemaining(from: at, until: due) == remaining)
        #expect(calendar.deadlineState(now: at, due: due) == state)
    }

    @Test func deadlineStateRawValuesAreTheWireStrings() {
        #expect(DeadlineState.allCases.map(\.rawValue) == ["due", "warning", "overdue"])
    }

    @Test func extraDataOverridesTheShippedYear() throws {
        let notice = """
            # a (hypothetical) 2027 notice
            source 2027 国务院办公厅关于2027年部分节假日安排的通知
            2027-02-13 workday 春节调休
            2027-02-15..2027-02-16 holiday 春节
            """
        let merged = try WorkingDayCalendar(adding: notice)
        #expect(merged.isWorkingDay(try day("2027-02-13")))
        #expect(!merged.isWorkingDay(try day("2027-02-16")))
        #expect(merged.sources[2027] == "国务院办公厅关于2027年部分节假日安排的通知")
        #expect(merged.isWorkingDay(try day("2026-09-20")))
        #expect(!calendar.isWorkingDay(try day("2027-02-13")))
    }

    @Test(arguments: [
        "2027-02-30 holiday x", "2027-02-01 vacation", "2027-02-01", "2027-02-10..2027-02-01 holiday", "source x y",
        "2027-02-01...2027-02-03 holiday", "2026-01-01..2027-06-01 holiday",
    ])
    func rejectsMalformedData(_ line: String) {
        #expect(throws: ShareBusError.self) { try WorkingDayCalendar(data: "# ok\n\n" + line) }
    }

    @Test func plainCalendarKnowsOnlyWeekends() throws {
        let plain = WorkingDayCalendar()
        #expect(plain.isWorkingDay(try day("2026-10-01")))
        #expect(!plain.isWorkingDay(try day("2026-10-10")))
    }
}
