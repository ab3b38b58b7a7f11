import Foundation
import ShareBusCore
import ShareBusStore
import ShareBusTesting
import Testing

/// Headless Chromium, as a person's browser: it loads the page, runs its script, and tells what
/// it shows (`--dump-dom`) or how it looks (`--screenshot`).
enum Chromium {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "chromium is not installed, so the dashboard cannot be tested in a browser: run `make deps` (apt-get install -y chromium fonts-noto-cjk)"
        }
    }

    /// The browser, or `Missing` (a failure, never a skip: `make test` installs it).
    static func executable() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"] {
            for name in ["chromium", "chromium-browser", "google-chrome"] {
                let candidate = URL(fileURLWithPath: directory).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        throw Missing()
    }

    /// Runs the browser headless on `url` with `arguments`, in a profile of its own (tests run in parallel).
    static func run(_ arguments: [String], url: String) async throws -> CLI.Result {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let result = try await CLI.run(
            [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions", "--hide-scrollbars",
                "--user-data-dir=\(profile.path)", "--lang=zh-CN",
            ] + arguments + [url],
            executable: try executable(), timeout: .seconds(90))
        guard result.status == 0 else { throw CLI.Failure(description: "chromium \(arguments) \(url): \(result)") }
        return result
    }

    /// The DOM once the page has loaded and its scripts ran.
    static func dumpDOM(_ url: String) async throws -> String {
        try await run(["--dump-dom", "--virtual-time-budget=1000"], url: url).stdout
    }

    /// A PNG of the page at `width`×`height`.
    static func screenshot(_ url: String, to file: URL, width: Int = 1400, height: Int = 1000) async throws {
        try? FileManager.default.removeItem(at: file)
        _ = try await run(["--screenshot=\(file.path)", "--window-size=\(width),\(height)", "--virtual-time-budget=1000"], url: url)
    }
}

/// The page, as tests read it: rows of a table in order, by a data attribute.
struct DashboardDOM {
    let html: String

    /// The section `<section ... id="id">...</section>`.
    func section(_ id: String) -> String {
        guard let start = html.range(of: "id=\"\(id)\"") else { return "" }
        let rest = html[start.lowerBound...]
        guard let end = rest.range(of: "</section>") else { return String(rest) }
        return String(rest[..<end.upperBound])
    }

    /// `<tr>` elements of a section, in order.
    func rows(_ section: String) -> [String] {
        self.section(section).matches(of: /<tr[^>]*class="[^"]*"[^>]*>.*?<\/tr>/.dotMatchesNewlines()).map { String($0.0) }
    }

    static func attribute(_ name: String, in element: String) -> String? {
        guard let match = element.firstMatch(of: try! Regex("\(name)=\"([^\"]*)\"")) else { return nil }
        return match.output[1].substring.map(String.init)
    }
}

/// A bus with the departments, resources, subscriptions, envelopes and dead letters a dashboard shows.
struct DashboardWorld {
    let bus: TestBus
    let ops: TestClient
    let tax: TestClient
    /// Subscriptions by consumer: `yc.health` (push, a dead letter), `yc.civil` (paused), `yc.bigdata`
    /// (nothing pulled), `yc.tax` (all acknowledged): worst first in that order.
    let queues: [String: String]
    /// Pending requests by deadline state: `overdue` (yc.bigdata), `warning` (yc.civil), `due` (yc.tax).
    let pending: [DeadlineState: String]
    let deadLetter: String
    static let brokenError = "HTTP 503 <b>upstream</b> unavailable"
    static let householdCode = "base.household"

    static func department(_ id: String, _ name: String, _ roles: [Department.Role], _ n: Int) -> Department {
        Department(
            id: id, name: name, creditCode: TestDepartments.creditCode(n), level: .municipal, division: "640100", roles: roles,
            createdAt: "2026-11-22T00:00:00Z")
    }

    static func make(_ bus: TestBus) async throws -> DashboardWorld {
        let steward = try await bus.department(department("yc.bigdata", "银川市大数据管理服务局", [.steward, .consumer], 11))
        let psb = try await bus.department(department("yc.psb", "银川市公安局", [.provider, .consumer], 12))
        let tax = try await bus.department(department("yc.tax", "国家税务总局银川市税务局", [.consumer], 13))
        let civil = try await bus.department(department("yc.civil", "银川市民政局", [.consumer], 14))
        let health = try await bus.department(department("yc.health", "银川市卫生健康委员会", [.consumer], 15))
        _ = try await bus.department(department("yc.hrss", "银川市人力资源和社会保障局", [.consumer], 16))
        let ops = try await bus.operator("ops")
        try await Exchange.publish(Exchange.resource(), by: steward)
        guard case .object(var household) = Exchange.resource(code: householdCode, sharing: "conditional") else {
            throw CLI.Failure(description: "resource")
        }
        household["name"] = .string("户籍登记信息")
        try await Exchange.publish(.object(household), by: steward)
        #expect(try await ops.post("/v1/departments/yc.hrss/suspend").status == 200)

        var queues: [String: String] = [:]
        queues["yc.tax"] = try await Exchange.activeSubscription(tax, fields: ["name"])
        queues["yc.civil"] = try await Exchange.activeSubscription(civil, fields: ["birthDate"])
        queues["yc.bigdata"] = try await Exchange.activeSubscription(steward, fields: ["name", "address"])
        let pushed = try await health.post(
            "/v1/subscriptions",
            json: .object([
                "resource": .string(Exchange.code), "fields": .array([.string("name")]), "permissions": .array([.string("push")]),
                "purpose": .string("出生医学证明核验"), "basis": .string("《政务数据共享管理办法》"),
                "delivery": .object(["mode": .string("push"), "url": .string("https://hooks.health.invalid/sharebus")]),
            ]))
        #expect(pushed.status == 201, "push subscription: \(pushed.text)")
        queues["yc.health"] = try #require(pushed.json?["id"]?.stringValue)

        let builder = try EnvelopeBuilder(credential: try #require(psb.credential))
        let people = (1...4).map { Exchange.record($0) } + [Exchange.record(5, name: Exchange.distinctiveName)]
        for batch in [Array(people[0..<3]), Array(people[3...])] {
            let body = try builder.envelope(sender: "yc.psb", resource: Exchange.code, operations: batch.map(EnvelopeBuilder.upsert))
            #expect(try await psb.push(body).status == 201)
        }
        // yc.tax takes everything; yc.civil is paused by an operator; yc.health's webhook failed for good.
        let taxID = try #require(queues["yc.tax"])
        _ = try await Exchange.pull(tax, taxID, bus: bus)
        #expect(try await Exchange.ack(tax, taxID, 5).status == 200)
        #expect(try await ops.post("/v1/ops/subscriptions/\(try #require(queues["yc.civil"]))/pause").status == 200)
        let healthID = try #require(queues["yc.health"])
        let deadLetter = UUID().uuidString.lowercased()
        var commit = PushCommit(
            state: DeliveryState(subscription: healthID, lastAttemptAt: Date(), lastError: brokenError, consecutiveFailures: 4), at: Date())
        commit.deadLetter = DeadLetter(
            id: deadLetter, subscription: healthID, firstSequence: 1, lastSequence: 3, sizeBytes: 2048, attempts: 10, lastError: brokenError,
            createdAt: Date(timeIntervalSinceNow: -1800))
        commit.moveCursor = 3
        try await bus.store.commitPush(
            commit, audit: AuditEvent(at: Date(), actor: "system:push", action: "subscription.push-deadletter", target: healthID))

        // Requests for the conditional resource: one just made (due), two seeded with their deadlines near and past.
        let request = try await Exchange.subscribe(tax, fields: ["name"], code: householdCode)
        #expect(request.status == 201, "request: \(request.text)")
        #expect(request.json?["status"]?.stringValue == "pending")
        var pending: [DeadlineState: String] = [.due: try #require(request.json?["id"]?.stringValue)]
        for (state, consumer, created, due) in [
            (DeadlineState.warning, "yc.civil", -12.0, 1.0), (.overdue, "yc.bigdata", -20.0, -3.0),
        ] {
            let id = UUID().uuidString.lowercased()
            let subscription = Subscription(
                id: id, consumer: consumer, resource: householdCode, fields: ["name"], permissions: [.pull], purpose: "婚姻登记核验",
                basis: "《婚姻登记条例》", status: .pending, createdAt: Timestamp.format(Date(timeIntervalSinceNow: created * 86400)),
                dueAt: Timestamp.format(Date(timeIntervalSinceNow: due * 86400)))
            try await bus.store.createSubscription(
                subscription, startAtHead: false,
                audit: AuditEvent(at: Date(), actor: "dept:\(consumer)", action: "subscription.request", target: id))
            pending[state] = id
        }
        return DashboardWorld(bus: bus, ops: ops, tax: tax, queues: queues, pending: pending, deadLetter: deadLetter)
    }
}
