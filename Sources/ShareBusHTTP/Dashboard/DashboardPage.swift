import Foundation
import ShareBusCore

/// Renders the dashboard's pages. Every value from the store goes in through `HTML`'s escaping
/// interpolation; nothing is written into a page any other way.
struct DashboardPage {
    let lang: DashboardLanguage
    /// The operator looking at the page.
    let viewer: String

    static let refreshSeconds = 5

    /// The page frame: header with the language toggle, the body, the script.
    func frame(title: String, refresh: Bool, togglePath: String = "/ui/", toggleQuery: [(String, String?)] = [], _ body: HTML) -> HTML {
        let toggle = HTML.query(toggleQuery + [("lang", lang.other.queryValue)])
        return """
            <!DOCTYPE html>
            <html lang="\(lang.htmlLang)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>\(title)</title>
            <link rel="stylesheet" href="/ui/assets/dashboard.css">
            \(refresh ? "<noscript><meta http-equiv=\"refresh\" content=\"\(Self.refreshSeconds)\"></noscript>" : HTML.empty)
            </head>
            <body>
            <header class="top">
            <h1>\(lang.t("政务信息资源共享交换平台 · 运维看板", "Government Data Sharing Exchange · Operations"))</h1>
            <span class="sub">\(lang.t("运维人员", "Operator")): \(viewer)</span>
            <span class="spacer"></span>
            <a class="lang" id="lang-toggle" href="\(togglePath)\(toggle)">\(lang.otherName)</a>
            </header>
            \(body)
            \(refresh ? "<script src=\"/ui/assets/dashboard.js\"></script>" : HTML.empty)
            </body>
            </html>
            """
    }

    /// The dashboard itself; `notice` is the outcome of an action just taken.
    func dashboard(_ snapshot: DashboardSnapshot, notice: HTML?) -> HTML {
        let refreshURL = "/ui/" + HTML.query([("lang", lang.queryValue)])
        let body: HTML = """
            <main id="live" data-refresh="\(Self.refreshSeconds)" data-refresh-url="\(refreshURL)">
            \(notice ?? HTML.empty)
            \(tiles(snapshot))
            \(queues(snapshot))
            \(deadLetters(snapshot))
            <div class="grid">
            \(pending(snapshot))
            \(departments(snapshot))
            </div>
            \(audit(snapshot))
            <footer>\(lang.t("更新于", "Updated")) <span id="updated">\(lang.time(snapshot.now))</span> \(lang.t("（北京时间，每 5 秒自动刷新）", "(Beijing time, refreshes every 5 s)"))</footer>
            </main>
            """
        return frame(title: lang.t("运维看板 · sharebus", "Operations · sharebus"), refresh: true, toggleQuery: [], body)
    }

    func tiles(_ s: DashboardSnapshot) -> HTML {
        let backlog = s.queues.reduce(Int64(0)) { $0 + $1.depth }
        let letters = s.queues.reduce(0) { $0 + $1.deadLetters }
        let overdue = s.pending.filter { $0.deadline == .overdue }.count
        let warning = s.pending.filter { $0.deadline == .warning }.count
        let suspended = s.departments.filter { $0.status == .suspended }.count
        let unhealthy = s.queues.filter { $0.health == .critical }.count
        func tile(_ id: String, _ n: String, _ label: String, _ level: String) -> HTML {
            "<div class=\"tile \(level)\" id=\"tile-\(id)\"><div class=\"n\">\(n)</div><div class=\"l\">\(label)</div></div>"
        }
        return """
            <div class="tiles">
            \(tile("queues", "\(s.queues.count)", lang.t("订阅队列（\(unhealthy) 个异常）", "Queues (\(unhealthy) critical)"), unhealthy > 0 ? "bad" : "ok"))
            \(tile("backlog", "\(backlog)", lang.t("积压消息", "Messages waiting"), backlog > 0 ? "warn" : "ok"))
            \(tile("dead-letters", "\(letters)", lang.t("死信", "Dead letters"), letters > 0 ? "bad" : "ok"))
            \(tile("pending", "\(s.pending.count)", lang.t("待审批（\(overdue) 超期，\(warning) 预警）", "Pending approvals (\(overdue) overdue, \(warning) warning)"), overdue > 0 ? "bad" : (warning > 0 ? "warn" : "ok")))
            \(tile("departments", "\(s.departments.count)", lang.t("部门（\(suspended) 已暂停）", "Departments (\(suspended) suspended)"), suspended > 0 ? "warn" : "ok"))
            </div>
            """
    }

    /// A titled panel with a table, or a line saying there is nothing.
    func panel(id: String, title: String, count: Int, head: [(String, Bool)], rows: [HTML], empty: String) -> HTML {
        let headCells = head.map { label, numeric -> HTML in numeric ? "<th class=\"num\">\(label)</th>" : "<th>\(label)</th>" }
        let content: HTML =
            rows.isEmpty
            ? "<p class=\"empty\">\(empty)</p>"
            : "<div class=\"scroll\"><table><thead><tr>\(headCells)</tr></thead><tbody>\(rows)</tbody></table></div>"
        return """
            <section class="panel" id="\(id)">
            <h2>\(title)<span class="count">\(count)</span></h2>
            \(content)
            </section>
            """
    }

    /// A small page with one message: a refusal, an error, the outcome of an action.
    func message(title: String, text: String, back: Bool = true) -> HTML {
        let link: HTML =
            back
            ? "<p><a class=\"button\" href=\"/ui/\(HTML.query([("lang", lang.queryValue)]))\">\(lang.t("返回看板", "Back to the dashboard"))</a></p>"
            : HTML.empty
        return frame(
            title: title, refresh: false, toggleQuery: [],
            "<main><div class=\"confirm\" id=\"message\"><h2>\(title)</h2><p>\(text)</p>\(link)</div></main>")
    }
}
