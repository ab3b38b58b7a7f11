import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ShareBusCore

/// `/ui/`: the operator dashboard, server-rendered HTML. Operators only: anyone else gets a 403
/// page. Actions are POST forms from a confirmation page, checked for the same origin and the
/// bus's form token, and carried out by the operator service the JSON routes use.
extension BusRouter {
    func addDashboardRoutes(_ env: BusEnvironment) {
        on(.get, "/ui/") { request, context in
            let query = request.uri.queryParameters
            let lang = DashboardLanguage(query: query.get("lang"))
            guard let viewer = context.dashboardViewer else { return DashboardResponse.forbidden(lang) }
            let page = DashboardPage(lang: lang, viewer: viewer)
            var notice: HTML?
            if let done = query.get("done").flatMap(DashboardAction.init(rawValue:)), let target = query.get("target") {
                notice = page.notice(done: done, target: target)
            }
            return DashboardResponse.html(page.dashboard(try await DashboardSnapshot.load(env), notice: notice))
        }
        on(.get, "/ui/confirm") { request, context in
            let lang = DashboardLanguage(query: request.uri.queryParameters.get("lang"))
            guard let viewer = context.dashboardViewer else { return DashboardResponse.forbidden(lang) }
            let page = DashboardPage(lang: lang, viewer: viewer)
            var fields: [String: String] = [:]
            for (name, value) in request.uri.queryParameters { fields[String(name)] = String(value) }
            guard let action = DashboardActionRequest(fields) else {
                return DashboardResponse.html(
                    page.message(title: lang.t("无法识别的操作", "Unknown action"), text: lang.t("请从看板上选择操作。", "Choose an action on the dashboard.")),
                    status: .badRequest)
            }
            return DashboardResponse.html(page.confirm(action, token: env.dashboardToken.value))
        }
        on(.post, "/ui/actions") { request, context in
            var request = request
            let body = try await request.collectBody(upTo: 16 * 1024)
            let fields = DashboardForm.decode(String(buffer: body))
            let lang = DashboardLanguage(query: fields["lang"])
            guard let viewer = context.dashboardViewer else { return DashboardResponse.forbidden(lang) }
            let page = DashboardPage(lang: lang, viewer: viewer)
            guard DashboardForm.isSameOrigin(request), DashboardForm.matches(fields["token"], env.dashboardToken.value) else {
                return DashboardResponse.html(
                    page.message(
                        title: lang.t("请求已拒绝", "Request refused"),
                        text: lang.t("表单已过期或不是从本看板提交的，请返回看板重试。", "The form is stale or was not sent from this dashboard; go back and try again.")),
                    status: .forbidden)
            }
            guard let action = DashboardActionRequest(fields) else {
                return DashboardResponse.html(
                    page.message(title: lang.t("无法识别的操作", "Unknown action"), text: lang.t("请从看板上选择操作。", "Choose an action on the dashboard.")),
                    status: .badRequest)
            }
            do {
                try await env.dashboardPerform(action, operatorID: viewer)
            } catch let error as ShareBusError {
                return DashboardResponse.html(
                    page.message(title: lang.t("操作未完成", "The action was not carried out"), text: "\(error.code.rawValue): \(error.detail)"),
                    status: .init(code: error.code.status))
            }
            let target = action.deadLetter ?? action.subscription
            return DashboardResponse.redirect(
                "/ui/" + HTML.query([("lang", lang.queryValue), ("done", action.action.rawValue), ("target", target)]))
        }
        on(.get, "/ui/assets/dashboard.css") { _, _ in DashboardResponse.asset(DashboardAssets.css, type: "text/css; charset=utf-8") }
        on(.get, "/ui/assets/dashboard.js") { _, _ in
            DashboardResponse.asset(DashboardAssets.js, type: "text/javascript; charset=utf-8")
        }
    }
}

extension BusRequestContext {
    /// The operator looking at the dashboard, or nil for anyone else.
    var dashboardViewer: String? {
        if case .operator(let id) = principal { return id }
        return nil
    }
}

/// The dashboard's answers: HTML with headers that keep it out of frames, caches and other origins.
enum DashboardResponse {
    static let securityHeaders: [(HTTPField.Name, String)] = [
        (
            .contentSecurityPolicy,
            "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        ),
        (.xContentTypeOptions, "nosniff"),
        (HTTPField.Name("X-Frame-Options")!, "DENY"),
        (HTTPField.Name("Referrer-Policy")!, "no-referrer"),
        (.cacheControl, "no-store"),
    ]

    static func html(_ page: HTML, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        for (name, value) in securityHeaders { headers[name] = value }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page.text)))
    }

    static func forbidden(_ lang: DashboardLanguage) -> Response {
        let page = DashboardPage(lang: lang, viewer: "—")
        return html(
            page.message(
                title: lang.t("仅限运维人员", "Operators only"),
                text: lang.t(
                    "运维看板只对持运维证书的人员开放。部门证书不能查看本页面。",
                    "The dashboard is for holders of an operator certificate; a department certificate cannot open it."),
                back: false),
            status: .forbidden)
    }

    static func redirect(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        for (name, value) in securityHeaders { headers[name] = value }
        return Response(status: .seeOther, headers: headers)
    }

    static func asset(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.xContentTypeOptions] = "nosniff"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Reading and checking the dashboard's POST forms.
enum DashboardForm {
    /// `application/x-www-form-urlencoded` into fields; a repeated name keeps its first value.
    static func decode(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            let name = decoded(parts[0])
            if fields[name] == nil { fields[name] = parts.count > 1 ? decoded(parts[1]) : "" }
        }
        return fields
    }

    /// A browser names where a form came from: `Sec-Fetch-Site` and `Origin` must say this site.
    /// A client that sends neither (curl) is let through to the token check.
    static func isSameOrigin(_ request: Request) -> Bool {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site != "same-origin" { return false }
        guard let origin = request.headers[.origin] else { return true }
        guard let url = URL(string: origin), let scheme = url.scheme, let originHost = url.host,
            let authority = request.head.authority
        else { return false }
        let defaultPort = scheme == "https" ? 443 : 80
        let (host, port) = split(authority)
        return unbracketed(originHost).lowercased() == host.lowercased() && (url.port ?? defaultPort) == (port ?? defaultPort)
    }

    /// `host:port`, `[v6]:port` or a bare host, into its host (without brackets) and port.
    static func split(_ authority: String) -> (String, Int?) {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            let host = String(authority[authority.index(after: authority.startIndex)..<close])
            let rest = authority[authority.index(after: close)...]
            return (host, rest.hasPrefix(":") ? Int(rest.dropFirst()) : nil)
        }
        let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 2 { return (String(parts[0]), Int(parts[1])) }
        return (authority, nil)
    }

    static func unbracketed(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    /// 32 random bytes, hex.
    static func makeToken() -> Token {
        var generator = SystemRandomNumberGenerator()
        return Token(value: (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined())
    }

    /// The form token, never written out by `print`, string interpolation or a logged description
    /// of the environment that holds it.
    struct Token: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        let value: String
        var description: String { "<redacted>" }
        var debugDescription: String { "<redacted>" }
        var customMirror: Mirror { Mirror(self, children: []) }
    }

    /// Compares the form's token with the bus's in constant time.
    static func matches(_ given: String?, _ expected: String) -> Bool {
        guard let given, given.utf8.count == expected.utf8.count else { return false }
        return zip(given.utf8, expected.utf8).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
