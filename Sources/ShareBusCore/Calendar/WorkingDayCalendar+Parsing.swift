extension WorkingDayCalendar {
    /// Reads the holiday data format, one statement a line:
    ///
    ///     # a comment; blank lines are ignored
    ///     source 2026 国务院办公厅关于2026年部分节假日安排的通知
    ///     2026-01-01 holiday 元旦
    ///     2026-02-15..2026-02-23 holiday 春节
    ///     2026-01-04 workday 元旦调休
    ///
    /// A range covers both ends. The name after the kind is optional. Errors name the line.
    static func parse(_ text: String) throws -> (entries: [Entry], sources: [Int: String]) {
        var entries: [Entry] = []
        var sources: [Int: String] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw).trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            func fail(_ why: String) -> ShareBusError { .malformed("holiday data line \(index + 1): \(why)") }
            let words = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
            if words[0] == "source" {
                guard words.count == 3, let year = Int(words[1]), (1...9999).contains(year) else {
                    throw fail("expected `source <year> <text>`")
                }
                sources[year] = words[2]
                continue
            }
            guard words.count >= 2, let kind = Entry.Kind(rawValue: words[1]) else {
                throw fail("expected `<date>[..<date>] holiday|workday [name]`")
            }
            let name = words.count == 3 ? words[2].trimmingWhitespace() : ""
            let bounds = words[0].split(separator: "..", omittingEmptySubsequences: false).map(String.init)
            guard (1...2).contains(bounds.count), let first = LocalDate(bounds[0]), let last = LocalDate(bounds[bounds.count - 1]) else {
                throw fail("\(words[0]) is not a YYYY-MM-DD date or YYYY-MM-DD..YYYY-MM-DD range")
            }
            guard first <= last, last.daysSinceEpoch - first.daysSinceEpoch < 366 else {
                throw fail("range \(words[0]) must run forwards and span less than a year")
            }
            var day = first
            while day <= last {
                entries.append(Entry(date: day, kind: kind, name: name))
                day = day.adding(days: 1)
            }
        }
        return (entries, sources)
    }
}
