import Foundation
import ShareBusCore

/// The dashboard's language: Chinese unless `?lang=en`. Every label is written at its use as a
/// pair, Chinese first, so the two never drift apart.
enum DashboardLanguage: String, Sendable {
    case zh, en

    init(query value: String?) { self = value == "en" ? .en : .zh }

    func t(_ zh: String, _ en: String) -> String { self == .en ? en : zh }

    var htmlLang: String { self == .en ? "en" : "zh-CN" }
    /// The other language, for the toggle link.
    var other: DashboardLanguage { self == .en ? .zh : .en }
    var otherName: String { self == .en ? "中文" : "English" }
    /// The `lang` query value that selects this language (none for the default).
    var queryValue: String? { self == .en ? "en" : nil }

    // MARK: Formatting

    /// Times are shown in Beijing time (UTC+8), the platform's working time.
    static let displayOffset: TimeInterval = 8 * 3600

    func time(_ date: Date) -> String {
        let shifted = date.addingTimeInterval(Self.displayOffset)
        let text = Timestamp.format(shifted)
        // 2026-11-26T07:21:03.120Z -> 2026-11-26 07:21:03
        return String(text.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }

    func time(_ text: String?) -> String {
        guard let text, let date = Formats.parseDateTime(text) else { return "—" }
        return time(date)
    }

    func date(_ text: String?) -> String { String(time(text).prefix(10)) }

    /// A span of time as a person reads it: `45 秒`, `12 分`, `3 小时 5 分`, `2 天 3 小时`.
    func duration(_ seconds: Double?) -> String {
        guard let seconds else { return "—" }
        let s = Int(seconds.rounded(.down))
        let (d, h, m) = (s / 86400, (s % 86400) / 3600, (s % 3600) / 60)
        if d > 0 { return t("\(d) 天 \(h) 小时", "\(d) d \(h) h") }
        if h > 0 { return t("\(h) 小时 \(m) 分", "\(h) h \(m) min") }
        if m > 0 { return t("\(m) 分 \(s % 60) 秒", "\(m) min \(s % 60) s") }
        return t("\(s) 秒", "\(s) s")
    }

    func rate(_ perMinute: Double) -> String {
        let value = perMinute >= 10 ? String(Int(perMinute.rounded())) : String(format: "%.1f", perMinute)
        return t("\(value) 条/分", "\(value)/min")
    }
}
