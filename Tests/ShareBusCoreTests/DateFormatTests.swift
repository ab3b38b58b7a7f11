import Foundation
import Testing

@testable import ShareBusCore

@Suite struct DateFormatTests {
    @Test(arguments: ["2024-02-29", "2000-02-29", "2023-12-31", "1900-01-01", "2026-11-22", "0001-01-01"])
    func acceptsRealDates(_ s: String) {
        #expect(Formats.isValidDate(s))
    }

    @Test(arguments: [
        "2023-02-29", "1900-02-29", "2100-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00", "2026-1-05",
        "20260105", "2026/01/05", "2026-01-05T00:00:00Z", " 2026-01-05", "２０２６-01-05", "",
    ])
    func rejectsOtherDates(_ s: String) {
        #expect(!Formats.isValidDate(s))
    }

    @Test(arguments: [
        "2026-11-22T12:00:00Z", "2026-11-22t12:00:00z", "2026-11-22T12:00:00.5Z", "2026-11-22T12:00:00.123456789+08:00",
        "2026-11-22T20:00:00+08:00", "2026-11-22T05:30:00-05:30", "2016-12-31T23:59:60Z", "2017-01-01T07:59:60+08:00",
        "2024-02-29T00:00:00-00:00",
    ])
    func acceptsRFC3339DateTimes(_ s: String) {
        #expect(Formats.isValidDateTime(s))
    }

    @Test(arguments: [
        "2026-11-22 12:00:00Z", "2026-11-22T12:00:00", "2026-11-22T24:00:00Z", "2026-11-22T12:60:00Z", "2026-11-22T12:00:61Z",
        "2026-11-22T12:00:60Z", "2026-11-22T12:00:00.Z", "2026-11-22T12:00:00+0800", "2026-11-22T12:00:00+24:00",
        "2026-11-22T12:00:00+08:60", "2023-02-29T12:00:00Z", "2026-11-22T12:00Z", "2026-11-22T12:00:00ZZ", "2026-11-22",
    ])
    func rejectsOtherDateTimes(_ s: String) {
        #expect(!Formats.isValidDateTime(s))
    }

    @Test(arguments: [
        ("2026-11-22T12:00:00Z", 1_795_348_800.0),
        ("2026-11-22T20:00:00+08:00", 1_795_348_800.0),
        ("2026-11-22T06:30:00-05:30", 1_795_348_800.0),
        ("2026-11-22T12:00:00.250Z", 1_795_348_800.25),
        ("1970-01-01T00:00:00Z", 0.0),
        ("1969-12-31T23:59:59Z", -1.0),
        ("2016-12-31T23:59:60Z", 1_483_228_800.0),
    ])
    func parsesToTheInstant(_ s: String, _ seconds: Double) throws {
        let date = try #require(Formats.parseDateTime(s))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 1e-6)
    }

    @Test func parseRejectsInvalid() {
        #expect(Formats.parseDateTime("2026-02-30T00:00:00Z") == nil)
    }

    @Test(arguments: [
        (1_795_348_800.0, "2026-11-22T12:00:00Z", "2026-11-22T12:00:00.000Z"),
        (1_795_348_800.999, "2026-11-22T12:00:00Z", "2026-11-22T12:00:00.999Z"),
        (0.0, "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"),
        (-0.5, "1969-12-31T23:59:59Z", "1969-12-31T23:59:59.500Z"),
        (951_782_400.0, "2000-02-29T00:00:00Z", "2000-02-29T00:00:00.000Z"),
    ])
    func formatsInUTC(_ seconds: Double, _ plain: String, _ millis: String) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(Formats.formatDateTime(date) == plain)
        #expect(Formats.formatDateTimeMillis(date) == millis)
    }

    @Test func formatAndParseRoundTrip() throws {
        let text = "2027-02-05T01:02:03.456Z"
        #expect(Formats.formatDateTimeMillis(try #require(Formats.parseDateTime(text))) == text)
    }

    @Test("Timestamp.format writes UTC seconds, with milliseconds only when there are some")
    func timestampFormat() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_795_305_600.25)) == "2026-11-22T00:00:00.250Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 951_782_399.5)) == "2000-02-28T23:59:59.500Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 253_402_300_799)) == "9999-12-31T23:59:59Z")
        // Against the ISO 8601 formatter for instants across the years; milliseconds are cut, not rounded.
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1_000 {
            let seconds = Double(Int64.random(in: 0...4_102_444_800, using: &generator))
            let millis = Int.random(in: 0...999, using: &generator)
            let date = Date(timeIntervalSince1970: seconds + Double(millis) / 1000 + 0.0001)
            let base = String(iso.string(from: Date(timeIntervalSince1970: seconds)).dropLast())
            let expected = millis == 0 ? base + "Z" : base + "." + String(String(millis + 1000).dropFirst()) + "Z"
            #expect(Timestamp.format(date) == expected)
        }
    }
}
