import Foundation
import ShareBusCore
import ShareBusStore
import ShareBusTesting
import Testing

@Suite("Operator dashboard")
struct DashboardTests {
    @Test("in Chromium: queues worst first, deadline lights, department status, Chinese by default and English on request")
    func inBrowser() async throws {
        try await TestBus.run { bus in
            let world = try await DashboardWorld.make(bus)
            let page = DashboardDOM(html: try await Chromium.dumpDOM(bus.localURL + "/ui/"))

            // Chinese labels by default, with the toggle to English.
            for label in ["运维看板", "订阅队列（最差的在前）", "待审批订阅 · 电子监察", "部门", "死信", "最近审计记录"] {
                #expect(page.html.contains(label), "missing \(label)")
            }
            #expect(page.html.contains(#"<html lang="zh-CN""#))
            #expect(page.html.contains(#"id="lang-toggle" href="/ui/?lang=en">English</a>"#))

            // Queues, worst first: a dead letter, then a pause, then a backlog, then a queue that is all caught up.
            let queueRows = page.rows("queues")
            let order = queueRows.compactMap { DashboardDOM.attribute("data-subscription", in: $0) }
            #expect(order == ["yc.health", "yc.civil", "yc.bigdata", "yc.tax"].map { world.queues[$0]! }, "\(queueRows)")
            #expect(queueRows.compactMap { DashboardDOM.attribute("data-health", in: $0) } == ["critical", "warning", "ok", "ok"])
            #expect(queueRows[0].contains("异常") && queueRows[0].contains(">1</td>"), "the dead letter shows: \(queueRows[0])")
            #expect(queueRows[1].contains("投递暂停") && queueRows[1].contains("action-resume"), "\(queueRows[1])")
            #expect(queueRows[2].contains(#"<td class="num depth">5</td>"#), "\(queueRows[2])")
            #expect(queueRows[3].contains(#"<td class="num depth">0</td>"#) && queueRows[3].contains("action-pause"), "\(queueRows[3])")

            // 电子监察: overdue (red), warning (yellow), due (green), most urgent first.
            let pendingRows = page.rows("pending")
            #expect(
                pendingRows.compactMap { DashboardDOM.attribute("data-subscription", in: $0) }
                    == [.overdue, .warning, .due].map { world.pending[$0]! })
            for (row, (state, label)) in zip(pendingRows, [("overdue", "超期"), ("warning", "预警"), ("due", "正常")]) {
                #expect(row.contains("deadline-\(state)") && row.contains(#"<span class="badge state-\#(state)">\#(label)</span>"#), "\(row)")
            }
            let css = try await LocalHTTP.get(bus.localURL + "/ui/assets/dashboard.css")
            #expect(css.header("content-type") == "text/css; charset=utf-8")
            for (state, colour) in [("due", "green"), ("warning", "yellow"), ("overdue", "red")] {
                #expect(Self.rule(containing: ".state-\(state)", in: css.body)?.contains("var(--\(colour))") == true, "\(state) is \(colour)")
            }
            #expect(css.body.contains("--red: #c21d2a") && css.body.contains("--green: #1a7f37") && css.body.contains("--yellow: #8a5a00"))

            // Departments and their status; the suspended one first.
            let departments = page.rows("departments")
            #expect(departments.count == 6)
            #expect(DashboardDOM.attribute("data-department", in: departments[0]) == "yc.hrss")
            #expect(departments[0].contains("已暂停") && departments[0].contains("银川市人力资源和社会保障局"))
            #expect(departments.dropFirst().allSatisfy { $0.contains("data-status=\"active\"") && $0.contains("正常") })

            // The dead letter, escaped; audit entries without their details, and never a record value.
            #expect(page.section("dead-letters").contains(world.deadLetter))
            #expect(page.section("dead-letters").contains("HTTP 503 &lt;b&gt;upstream&lt;/b&gt; unavailable"))
            #expect(!page.html.contains("<b>upstream</b>"))
            #expect(page.section("audit").contains("ops.pause"))
            #expect(!page.html.contains(Exchange.distinctiveName), "no record value reaches the dashboard")
            #expect(page.html.contains("id=\"tile-pending\""))

            // English.
            let english = DashboardDOM(html: try await Chromium.dumpDOM(bus.localURL + "/ui/?lang=en"))
            for label in ["Queues (worst first)", "Pending approvals · deadline watch", "Departments", "Overdue", "Warning", "suspended"] {
                #expect(english.html.contains(label), "missing \(label)")
            }
            #expect(english.html.contains(#"<html lang="en""#))
            #expect(english.html.contains(#"id="lang-toggle" href="/ui/">中文</a>"#))
            #expect(!english.html.contains("订阅队列"))
        }
    }

    @Test("screenshots of the main views, in Chinese and English")
    func screenshots() async throws {
        try await TestBus.run { bus in
            let world = try await DashboardWorld.make(bus)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dashboard-shots-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let confirm = "/ui/confirm?action=discard&subscription=\(world.queues["yc.health"]!)&deadLetter=\(world.deadLetter)"
            let views = [
                ("dashboard-zh.png", "/ui/", 1000), ("dashboard-en.png", "/ui/?lang=en", 1000), ("dashboard-confirm-zh.png", confirm, 640),
            ]
            for (name, path, height) in views {
                let file = directory.appendingPathComponent(name)
                try await Chromium.screenshot(bus.localURL + path, to: file, width: 1400, height: height)
                let png = try Data(contentsOf: file)
                #expect(png.count > 20_000, "\(name): \(png.count) bytes")
                #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "\(name) is a PNG")
                // `make screenshots` keeps them for the docs.
                if let keep = ProcessInfo.processInfo.environment["SHAREBUS_SCREENSHOTS"] {
                    let folder = keep.hasPrefix("/") ? URL(fileURLWithPath: keep) : repositoryRoot.appendingPathComponent(keep)
                    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                    let target = folder.appendingPathComponent(name)
                    try? FileManager.default.removeItem(at: target)
                    try FileManager.default.copyItem(at: file, to: target)
                }
            }
        }
    }

    @Test("actions: a confirmation page, then a POST with the form token; audited under the operator; forged forms change nothing")
    func actions() async throws {
        try await TestBus.run { bus in
            let world = try await DashboardWorld.make(bus)
            let civil = try #require(world.queues["yc.civil"])
            let health = try #require(world.queues["yc.health"])
            let origin = [("Origin", bus.localURL), ("Sec-Fetch-Site", "same-origin")]

            let confirm = try await LocalHTTP.get(bus.localURL + "/ui/confirm?action=resume&subscription=\(civil)")
            #expect(confirm.status == 200)
            #expect(confirm.body.contains("恢复该订阅的投递？") && confirm.body.contains(civil))
            let token = try #require(confirm.body.firstMatch(of: /name="token" value="([0-9a-f]{64})"/)?.1).description

            // Forged: no token, a wrong token, another site. Nothing is written.
            let before = try await bus.store.auditHead()?.index
            for (fields, headers) in [
                ([("action", "resume"), ("subscription", civil)], origin),
                ([("token", String(repeating: "0", count: 64)), ("action", "resume"), ("subscription", civil)], origin),
                ([("token", token), ("action", "resume"), ("subscription", civil)], [("Origin", "https://evil.example")]),
                ([("token", token), ("action", "resume"), ("subscription", civil)], [("Sec-Fetch-Site", "cross-site")]),
            ] {
                let refused = try await LocalHTTP.postForm(bus.localURL + "/ui/actions", fields, headers: headers)
                #expect(refused.status == 403, "\(fields) \(headers)")
                #expect(refused.header("content-type") == "text/html; charset=utf-8")
            }
            #expect(try await bus.store.auditHead()?.index == before, "a refused form writes nothing")

            // The real form: resumed, audited as the local operator, and back to the dashboard with a notice.
            let done = try await LocalHTTP.postForm(
                bus.localURL + "/ui/actions", [("token", token), ("action", "resume"), ("subscription", civil), ("lang", "zh")], headers: origin)
            #expect(done.status == 303, "\(done.body)")
            #expect(done.header("location") == "/ui/?done=resume&target=\(civil)")
            let resumed = try await Exchange.audit(world.ops, action: "ops.resume")
            #expect(resumed.last?["actor"]?.stringValue == "operator:localhost")
            #expect(resumed.last?["target"]?.stringValue == civil)
            let queues = try await world.ops.get("/v1/ops/queues")
            #expect(queues.json?["queues"]?.arrayValue?.first { $0["subscription"]?.stringValue == civil }?["paused"] == .bool(false))
            let location = try #require(done.header("location"))
            let notice = try await LocalHTTP.get(bus.localURL + location)
            #expect(notice.body.contains("已恢复订阅投递"))

            // Discard the dead letter; a second discard of it answers its problem as a page.
            let discard = [("token", token), ("action", "discard"), ("subscription", health), ("deadLetter", world.deadLetter)]
            #expect(try await LocalHTTP.postForm(bus.localURL + "/ui/actions", discard, headers: origin).status == 303)
            #expect(try await Exchange.audit(world.ops, action: "deadletter.discard").last?["target"]?.stringValue == health)
            let again = try await LocalHTTP.postForm(bus.localURL + "/ui/actions", discard, headers: origin)
            #expect(again.status == 404)
            #expect(again.body.contains("dead-letter-not-found"))
            #expect(!(try await LocalHTTP.get(bus.localURL + "/ui/")).body.contains(world.deadLetter))
        }
    }

    @Test("over mutual TLS: operators see the dashboard; a department gets a 403 page")
    func mutualTLS() async throws {
        try await TestBus.run { bus in
            let ops = try await bus.operator("ops")
            let tax = try await bus.department(Fixture.tax)
            let page = try await ops.get("/ui/")
            #expect(page.status == 200)
            #expect(page.header("content-type") == "text/html; charset=utf-8")
            #expect(page.text.contains("订阅队列") && page.text.contains("运维人员: ops"))
            #expect(page.header("content-security-policy")?.contains("frame-ancestors 'none'") == true)
            let refused = try await tax.get("/ui/")
            #expect(refused.status == 403)
            #expect(refused.header("content-type") == "text/html; charset=utf-8")
            #expect(refused.text.contains("仅限运维人员"))
            #expect(!refused.text.contains("订阅队列"))
            #expect(try await tax.get("/ui/confirm?action=pause&subscription=x").status == 403)
            let english = try await tax.get("/ui/?lang=en")
            #expect(english.status == 403 && english.text.contains("Operators only"))
        }
    }

    @Test("the local dashboard answers only requests for a loopback host name (no DNS rebinding)")
    func rebinding() async throws {
        try await TestBus.run { bus in
            let rebound = try await LocalHTTP.get(bus.localURL + "/ui/", headers: [("Host", "evil.example:\(bus.localPort)")])
            #expect(rebound.status == 403)
            #expect(try await LocalHTTP.get(bus.localURL + "/ui/", headers: [("Host", "localhost:\(bus.localPort)")]).status == 200)
            // The metrics stay open to any host name: Prometheus may scrape by the bus's own name.
            #expect(try await LocalHTTP.get(bus.localURL + "/metrics", headers: [("Host", "bus.example:\(bus.localPort)")]).status == 200)
        }
    }

    /// The CSS rule whose selector list names `selector`.
    static func rule(containing selector: String, in css: String) -> String? {
        css.split(separator: "}").first { rule in
            rule.split(separator: "{").first?.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespacesAndNewlines) == selector }
                == true
        }.map(String.init)
    }
}
