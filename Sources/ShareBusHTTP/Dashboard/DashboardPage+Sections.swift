import Foundation
import ShareBusCore
import ShareBusStore

extension DashboardPage {
    func queues(_ s: DashboardSnapshot) -> HTML {
        let rows = s.queues.map { q -> HTML in
            let action: HTML =
                q.paused
                ? actionLink(.resume, subscription: q.subscription)
                : actionLink(.pause, subscription: q.subscription)
            return """
                <tr class="queue row-\(q.health.name)" data-subscription="\(q.subscription)" data-health="\(q.health.name)">\
                <td><span class="badge health-\(q.health.name)">\(healthLabel(q.health))</span> <code title="\(q.subscription)">\(short(q.subscription))</code></td>\
                <td>\(q.consumer)</td><td>\(q.resource)</td><td>\(modeLabel(q.mode))</td>\
                <td>\(statusBadge(q.paused ? "paused" : q.status))</td>\
                <td class="num depth">\(q.depth)</td>\
                <td class="num age">\(lang.duration(q.oldestUnackedAge))</td>\
                <td class="num rate">\(lang.rate(q.ratePerMinute))</td>\
                <td class="num failures\(q.failures > 0 ? " bad-num" : "")">\(q.failures)</td>\
                <td class="num dead-letters\(q.deadLetters > 0 ? " bad-num" : "")">\(q.deadLetters)</td>\
                <td>\(lang.time(q.lastDeliveryAt))</td>\
                <td>\(action)</td></tr>
                """
        }
        return panel(
            id: "queues", title: lang.t("订阅队列（最差的在前）", "Queues (worst first)"), count: s.queues.count,
            head: [
                (lang.t("订阅", "Subscription"), false), (lang.t("消费部门", "Consumer"), false), (lang.t("资源", "Resource"), false),
                (lang.t("方式", "Mode"), false), (lang.t("状态", "State"), false), (lang.t("积压", "Depth"), true),
                (lang.t("最早未确认", "Oldest unacked"), true), (lang.t("投递速率", "Rate"), true), (lang.t("失败", "Failures"), true),
                (lang.t("死信", "Dead letters"), true), (lang.t("最后投递", "Last delivery"), false), (lang.t("操作", "Actions"), false),
            ],
            rows: rows, empty: lang.t("还没有订阅。", "No subscriptions yet."))
    }

    func deadLetters(_ s: DashboardSnapshot) -> HTML {
        let rows = s.deadLetters.map { d -> HTML in
            let replay: HTML =
                d.replayRequested
                ? "<span class=\"badge status-pending\">\(lang.t("重放中", "replaying"))</span>"
                : actionLink(.replay, subscription: d.subscription, deadLetter: d.id)
            return """
                <tr class="dead-letter" data-dead-letter="\(d.id)">\
                <td><code title="\(d.subscription)">\(short(d.subscription))</code></td><td><code title="\(d.id)">\(short(d.id))</code></td>\
                <td class="num">\(d.firstSequence)–\(d.lastSequence)</td><td class="num">\(d.attempts)</td>\
                <td class="wrap">\(d.lastError)</td><td>\(lang.time(d.createdAt))</td>\
                <td>\(replay) \(actionLink(.discard, subscription: d.subscription, deadLetter: d.id))</td></tr>
                """
        }
        return panel(
            id: "dead-letters", title: lang.t("死信", "Dead letters"), count: s.deadLetters.count,
            head: [
                (lang.t("订阅", "Subscription"), false), (lang.t("编号", "ID"), false), (lang.t("序号", "Sequences"), true),
                (lang.t("尝试", "Attempts"), true), (lang.t("最后错误", "Last error"), false), (lang.t("时间", "Time"), false),
                (lang.t("操作", "Actions"), false),
            ],
            rows: rows, empty: lang.t("没有死信。", "No dead letters."))
    }

    func pending(_ s: DashboardSnapshot) -> HTML {
        let rows = s.pending.map { p -> HTML in
            let state =
                p.deadline.map { d -> HTML in
                    "<span class=\"badge state-\(d.rawValue)\">\(deadlineLabel(d))</span>"
                } ?? HTML.empty
            return """
                <tr class="pending deadline-\(p.deadline?.rawValue ?? "none")" data-subscription="\(p.subscription.id)">\
                <td>\(state)</td><td>\(p.subscription.consumer)</td><td>\(p.subscription.resource)</td>\
                <td>\(lang.date(p.subscription.createdAt))</td><td>\(lang.date(p.subscription.dueAt))</td>\
                <td><code title="\(p.subscription.id)">\(short(p.subscription.id))</code></td></tr>
                """
        }
        return panel(
            id: "pending", title: lang.t("待审批订阅 · 电子监察", "Pending approvals · deadline watch"), count: s.pending.count,
            head: [
                (lang.t("监察", "Deadline"), false), (lang.t("申请部门", "Consumer"), false), (lang.t("资源", "Resource"), false),
                (lang.t("申请日", "Requested"), false), (lang.t("办理期限", "Due"), false), (lang.t("订阅", "Subscription"), false),
            ],
            rows: rows, empty: lang.t("没有待审批的订阅。", "No pending requests."))
    }

    func departments(_ s: DashboardSnapshot) -> HTML {
        let rows = s.departments.map { d -> HTML in
            """
            <tr class="department" data-department="\(d.id)" data-status="\(d.status.rawValue)">\
            <td><code>\(d.id)</code></td><td>\(d.name)</td><td>\(levelLabel(d.level))</td>\
            <td>\(d.roles.map { roleLabel($0) }.joined(separator: lang.t("、", ", ")))</td>\
            <td>\(statusBadge(d.status.rawValue))</td></tr>
            """
        }
        return panel(
            id: "departments", title: lang.t("部门", "Departments"), count: s.departments.count,
            head: [
                (lang.t("标识", "ID"), false), (lang.t("名称", "Name"), false), (lang.t("层级", "Level"), false),
                (lang.t("角色", "Roles"), false), (lang.t("状态", "Status"), false),
            ],
            rows: rows, empty: lang.t("还没有部门。", "No departments yet."))
    }

    /// Who did what to which target, never the details: those may name data subjects.
    func audit(_ s: DashboardSnapshot) -> HTML {
        let rows = s.audit.map { e -> HTML in
            """
            <tr class="audit"><td class="num">\(e.index)</td><td>\(lang.time(e.at))</td><td>\(e.actor)</td>\
            <td><code>\(e.action)</code></td><td><code title="\(e.target)">\(short(e.target))</code></td></tr>
            """
        }
        return panel(
            id: "audit", title: lang.t("最近审计记录", "Recent audit entries"), count: s.audit.count,
            head: [
                (lang.t("序号", "#"), true), (lang.t("时间", "Time"), false), (lang.t("操作者", "Actor"), false),
                (lang.t("动作", "Action"), false), (lang.t("对象", "Target"), false),
            ],
            rows: rows, empty: lang.t("审计日志为空。", "The audit log is empty."))
    }

    // MARK: Pieces

    func actionLink(_ action: DashboardAction, subscription: String, deadLetter: String? = nil) -> HTML {
        let query = HTML.query([
            ("action", action.rawValue), ("subscription", subscription), ("deadLetter", deadLetter), ("lang", lang.queryValue),
        ])
        let style = action == .discard ? " danger" : ""
        return "<a class=\"button action-\(action.rawValue)\(style)\" href=\"/ui/confirm\(query)\">\(action.label(lang))</a>"
    }

    /// A UUID shown by its first 8 characters, which tell it apart on screen (the `title` holds
    /// it whole); other names (resource codes, department ids) as they are.
    func short(_ id: String) -> String {
        UUID(uuidString: id) != nil ? String(id.prefix(8)) + "…" : id
    }

    func statusBadge(_ status: String) -> HTML {
        let label =
            switch status {
            case "active": lang.t("正常", "active")
            case "suspended": lang.t("已暂停", "suspended")
            case "paused": lang.t("投递暂停", "paused")
            case "pending": lang.t("待审批", "pending")
            case "revoked": lang.t("已撤销", "revoked")
            case "rejected": lang.t("已驳回", "rejected")
            default: status
            }
        return "<span class=\"badge status-\(status)\">\(label)</span>"
    }

    func healthLabel(_ health: DashboardSnapshot.Health) -> String {
        switch health {
        case .ok: lang.t("正常", "OK")
        case .warning: lang.t("注意", "Warning")
        case .critical: lang.t("异常", "Critical")
        }
    }

    func deadlineLabel(_ state: DeadlineState) -> String {
        switch state {
        case .due: lang.t("正常", "Due")
        case .warning: lang.t("预警", "Warning")
        case .overdue: lang.t("超期", "Overdue")
        }
    }

    func modeLabel(_ mode: String) -> String {
        switch mode {
        case "pull": lang.t("拉取", "pull")
        case "push": lang.t("推送", "push")
        default: mode
        }
    }

    func levelLabel(_ level: Department.Level) -> String {
        switch level {
        case .national: lang.t("国家级", "national")
        case .provincial: lang.t("省级", "provincial")
        case .municipal: lang.t("市级", "municipal")
        case .county: lang.t("县级", "county")
        case .township: lang.t("乡镇级", "township")
        }
    }

    func roleLabel(_ role: Department.Role) -> String {
        switch role {
        case .provider: lang.t("提供方", "provider")
        case .consumer: lang.t("使用方", "consumer")
        case .steward: lang.t("管理方", "steward")
        case .portal: lang.t("门户", "portal")
        }
    }
}
