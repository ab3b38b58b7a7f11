import Foundation
import Testing

@testable import ShareBusCore

@Suite struct LocalDateTests {
    @Test(arguments: [
        ("1970-01-01", 0, 4), ("2000-02-29", 11_016, 2), ("2026-09-24", 20_720, 4), ("1969-12-31", -1, 3),
        ("2027-02-05", 20_854, 5), ("1900-03-01", -25_508, 4),
    ])
    func countsDaysAndWeekdays(_ text: String, _ days: Int, _ weekday: Int) throws {
        let date = try #require(LocalDate(text))
        #expect(date.daysSinceEpoch == days)
        #expect(LocalDate(daysSinceEpoch: days) == date)
        #expect(date.weekday == weekday)
        #expect(date.description == text)
    }

    @Test func dayAtChinaStandardTime() {
        // 2026-09-23T16:00:00Z is midnight in Beijing: the 24th there, still the 23rd in UTC.
        let instant = Date(timeIntervalSince1970: 1_790_179_200)
        #expect(LocalDate(instant) == LocalDate(year: 2026, month: 9, day: 24))
        #expect(LocalDate(instant, utcOffset: 0) == LocalDate(year: 2026, month: 9, day: 23))
        #expect(LocalDate(year: 2026, month: 9, day: 24)!.start() == instant)
    }

    @Test func ordersAndAdds() throws {
        let a = try #require(LocalDate("2024-02-28"))
        #expect(a.adding(days: 1).description == "2024-02-29")
        #expect(a.adding(days: 2).description == "2024-03-01")
        #expect(a < a.adding(days: 1))
        #expect(a.adding(days: -365).description == "2023-02-28")
    }

    @Test func codesAsAString() throws {
        let data = try JSONEncoder().encode([LocalDate(year: 2026, month: 1, day: 4)!])
        #expect(String(decoding: data, as: UTF8.self) == #"["2026-01-04"]"#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([LocalDate].self, from: Data(#"["2026-02-30"]"#.utf8)) }
    }
}
