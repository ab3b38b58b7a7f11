import Foundation

extension DashboardPage {
    /// The confirmation page of an action: what it is, on what, and a POST form carrying the
    /// dashboard's token. Nothing changes until that form is sent.
    func confirm(_ request: DashboardActionRequest, token: String) -> HTML {
        let back = "/ui/" + HTML.query([("lang", lang.queryValue)])
        let deadLetter: HTML =
            request.deadLetter.map {
                "<dt>\(lang.t("死信", "Dead letter"))</dt><dd><code>\($0)</code></dd>"
            } ?? HTML.empty
        let style = request.action == .discard ? "primary danger" : "primary"
        let body: HTML = """
            <main>
            <div class="confirm" id="confirm">
            <h2>\(request.action.question(lang))</h2>
            <dl>
            <dt>\(lang.t("操作", "Action"))</dt><dd>\(request.action.label(lang))</dd>
            <dt>\(lang.t("订阅", "Subscription"))</dt><dd><code>\(request.subscription)</code></dd>
            \(deadLetter)
            </dl>
            <p>\(request.action.consequence(lang))</p>
            <p>\(lang.t("此操作将以您的身份记入审计日志。", "The action is written to the audit log under your name."))</p>
            <form method="post" action="/ui/actions" class="actions">
            <input type="hidden" name="token" value="\(token)">
            <input type="hidden" name="action" value="\(request.action.rawValue)">
            <input type="hidden" name="subscription" value="\(request.subscription)">
            \(request.deadLetter.map { "<input type=\"hidden\" name=\"deadLetter\" value=\"\($0)\">" as HTML } ?? HTML.empty)
            <input type="hidden" name="lang" value="\(lang.rawValue)">
            <button type="submit" class="\(style)" id="confirm-button">\(lang.t("确认", "Confirm"))\(request.action.label(lang))</button>
            <a class="button" href="\(back)" id="cancel">\(lang.t("取消", "Cancel"))</a>
            </form>
            </div>
            </main>
            """
        let toggle: [(String, String?)] = [
            ("action", request.action.rawValue), ("subscription", request.subscription), ("deadLetter", request.deadLetter),
        ]
        return frame(title: request.action.question(lang), refresh: false, togglePath: "/ui/confirm", toggleQuery: toggle, body)
    }

    /// The line at the top of the dashboard after an action.
    func notice(done action: DashboardAction, target: String) -> HTML {
        "<div class=\"notice ok\" id=\"notice\">\(action.done(lang))：<code>\(target)</code></div>"
    }
}
