import Foundation
import ShareBusCore

/// What an operator can do from the dashboard. Each goes through a confirmation page and then
/// through the same operator service as the JSON routes, so it is checked and audited the same way.
enum DashboardAction: String, Sendable, CaseIterable {
    case pause, resume, replay, discard

    var needsDeadLetter: Bool { self == .replay || self == .discard }

    func label(_ lang: DashboardLanguage) -> String {
        switch self {
        case .pause: lang.t("暂停", "Pause")
        case .resume: lang.t("恢复", "Resume")
        case .replay: lang.t("重放", "Replay")
        case .discard: lang.t("丢弃", "Discard")
        }
    }

    /// The question on the confirmation page.
    func question(_ lang: DashboardLanguage) -> String {
        switch self {
        case .pause: lang.t("暂停该订阅的投递？", "Pause delivery of this subscription?")
        case .resume: lang.t("恢复该订阅的投递？", "Resume delivery of this subscription?")
        case .replay: lang.t("重新投递这条死信？", "Deliver this dead letter again?")
        case .discard: lang.t("丢弃这条死信？此操作不能撤销。", "Discard this dead letter? This cannot be undone.")
        }
    }

    /// What happens, in a sentence, on the confirmation page.
    func consequence(_ lang: DashboardLanguage) -> String {
        switch self {
        case .pause:
            lang.t(
                "暂停后不再推送，拉取返回 subscription-not-active，直到恢复；游标保持不动。",
                "No pushes, and pulls answer subscription-not-active, until resumed; the cursor stays where it is.")
        case .resume: lang.t("恢复后从游标处继续投递。", "Delivery goes on from the cursor.")
        case .replay: lang.t("这条死信将在下一批之前重新推送给消费部门。", "The dead letter is pushed to the consumer again before the next batch.")
        case .discard: lang.t("这条死信将被删除，其中的消息不会再投递。", "The dead letter is removed; its messages are not delivered again.")
        }
    }

    /// The notice on the dashboard once done.
    func done(_ lang: DashboardLanguage) -> String {
        switch self {
        case .pause: lang.t("已暂停订阅投递", "Delivery paused")
        case .resume: lang.t("已恢复订阅投递", "Delivery resumed")
        case .replay: lang.t("已安排重放死信", "Dead letter queued for replay")
        case .discard: lang.t("已丢弃死信", "Dead letter discarded")
        }
    }
}

/// The fields of an action, as the confirmation form carries them.
struct DashboardActionRequest: Sendable {
    var action: DashboardAction
    var subscription: String
    var deadLetter: String?

    /// From query or form fields; nil when something is missing or malformed.
    init?(_ fields: [String: String]) {
        guard let action = fields["action"].flatMap(DashboardAction.init(rawValue:)),
            let subscription = fields["subscription"], Self.isIdentifier(subscription)
        else { return nil }
        self.action = action
        self.subscription = subscription
        if action.needsDeadLetter {
            guard let deadLetter = fields["deadLetter"], Self.isIdentifier(deadLetter) else { return nil }
            self.deadLetter = deadLetter
        }
    }

    /// Ids are UUIDs and the like: letters, digits, `-`, `.`, `_`; at most 128 characters.
    static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 128
            && text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-._".unicodeScalars.contains($0) }
    }
}
