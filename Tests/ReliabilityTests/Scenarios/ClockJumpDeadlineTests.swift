import Foundation
import ShareBusCore
import ShareBusTesting
import Testing

/// Approval deadlines under a jumping wall clock: the real application over real mutual TLS on a real SQLite
/// file, its clock the injected `ManualClock`, moved between requests.
extension ClockJumpTests {
    @Test(
        "an approval deadline is fixed at the request and does not move when the clock jumps; its state follows the clock",
        .timeLimit(.minutes(5)))
    func approvalDeadlines() async throws {
        let figures = try await TestBus.run(clock: ManualClock(Date() + 3 * 86400)) { bus in
            try await Self.deadlines(bus)
        }
        ReliabilityRun.report(figures)
    }

    static let conditionalResource = "rel.cond"

    static func deadlines(_ bus: TestBus) async throws -> ReliabilityRun.Figures {
        var figures = ReliabilityRun.Figures(
            id: "clock-deadlines", title: "Clock jumps: approval deadlines",
            method:
                "A running bus (real TLS and SQLite, injected clock): a conditional subscription requested, the clock jumped 25 days "
                + "forward, a second request made, the clock jumped back 27 days and forward again; each request's dueAt and "
                + "deadlineState read over HTTPS after every jump.")
        let clock = try #require(bus.clock as? ManualClock)
        let calendar = WorkingDayCalendar.china
        let base = clock.now()
        let steward = try await bus.department(TestDepartments.make("cld.steward", roles: [.steward], number: 71))
        _ = try await bus.department(TestDepartments.make(Workspace.provider, roles: [.provider], number: 72))
        let consumer = try await bus.department(TestDepartments.make(Workspace.consumer, roles: [.consumer], number: 73))
        guard case .object(var resource) = Workspace.resourceJSON else { throw ShareBusError(.internalError, "resource JSON") }
        resource["code"] = .string(conditionalResource)
        resource["sharing"] = .object(["type": .string("conditional"), "basis": .string("测试")])
        #expect(try await steward.post("/v1/resources", json: .object(resource)).status == 201)
        #expect(try await steward.post("/v1/resources/\(conditionalResource)/publish").status == 200)

        func request() async throws -> (id: String, dueAt: String) {
            let reply = try await consumer.post(
                "/v1/subscriptions",
                json: .object([
                    "resource": .string(conditionalResource), "fields": .array([.string("value")]), "permissions": .array([.string("pull")]),
                    "purpose": .string("故障测试"), "basis": .string("测试依据"), "delivery": .object(["mode": .string("pull")]),
                ]))
            try #require(reply.status == 201, "\(reply.text)")
            #expect(reply.json?["status"]?.stringValue == "pending")
            let id = try #require(reply.json?["id"]?.stringValue, "\(reply.text)")
            return (id, try #require(reply.json?["dueAt"]?.stringValue, "\(reply.text)"))
        }
        func read(_ id: String) async throws -> (dueAt: String?, state: String?) {
            let reply = try await consumer.get("/v1/subscriptions/\(id)")
            try #require(reply.status == 200, "\(reply.text)")
            return (reply.json?["dueAt"]?.stringValue, reply.json?["deadlineState"]?.stringValue)
        }

        let first = try await request()
        let firstDue = calendar.addingWorkingDays(10, to: base)
        #expect(first.dueAt == Timestamp.format(firstDue), "end of the 10th working day after the request day, Beijing time")
        var observations: [String] = []
        var checks = 0
        var failures = 0
        func check(_ id: String, due: String, dueDate: Date, label: String) async throws {
            let seen = try await read(id)
            let expected = calendar.deadlineState(now: clock.now(), due: dueDate).rawValue
            checks += 1
            if seen.dueAt != due || seen.state != expected { failures += 1 }
            #expect(seen.dueAt == due, "\(label): the deadline moved")
            #expect(seen.state == expected, "\(label): deadlineState \(seen.state ?? "none"), expected \(expected)")
            observations.append("\(label) \(seen.state ?? "none")")
        }
        try await check(first.id, due: first.dueAt, dueDate: firstDue, label: "first at request")
        #expect(try await read(first.id).state == "due")

        clock.set(base + 25 * 86400)
        try await check(first.id, due: first.dueAt, dueDate: firstDue, label: "first +25 d")
        // 25 days on, past the deadline (outside the longest holiday runs): the request shows overdue. Not
        // further: the test certificates are valid for 30 days from the true time.
        #expect(clock.now() > firstDue)
        #expect(try await read(first.id).state == "overdue")
        let second = try await request()
        let secondDue = calendar.addingWorkingDays(10, to: clock.now())
        #expect(second.dueAt == Timestamp.format(secondDue), "a request after the jump gets the deadline of its jumped day")
        #expect(second.dueAt != first.dueAt)
        try await check(second.id, due: second.dueAt, dueDate: secondDue, label: "second at request")

        // Two days back, not further: the bus clock started three days ahead, and before the certificates'
        // notBefore every client certificate is rightly refused.
        clock.set(base - 2 * 86400)
        try await check(first.id, due: first.dueAt, dueDate: firstDue, label: "first -2 d")
        try await check(second.id, due: second.dueAt, dueDate: secondDue, label: "second -2 d")
        #expect(try await read(first.id).state == "due", "back before the request: not overdue any more")

        clock.set(base + 25 * 86400)
        try await check(first.id, due: first.dueAt, dueDate: firstDue, label: "first +25 d again")
        try await check(second.id, due: second.dueAt, dueDate: secondDue, label: "second +25 d again")

        figures.passed = failures == 0
        figures.notes["approval deadlines"] =
            "\(checks) reads after jumps of +25 d, -27 d, +27 d: dueAt unchanged in all, deadlineState as the calendar gives at the bus's time "
            + "(\(failures) mismatches); a request after the forward jump got the deadline of its jumped day"
        figures.notes["deadline states seen"] = observations.joined(separator: "; ")
        return figures
    }
}
