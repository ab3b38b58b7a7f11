import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import Testing

@Suite("Exchange subscriptions over HTTPS")
struct ExchangeSubscriptionOnBothStores {
    static func ids(_ reply: TestClient.Reply) -> [String] {
        reply.json?["subscriptions"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
    }

    static func fields(_ names: [String]) -> JSONValue { .object(["fields": .array(names.map { .string($0) })]) }

    @Test("a conditional request waits for the provider, who grants some of the asked fields", arguments: TestStore.allCases)
    func approval(store: TestStore) async throws {
        try await TestBus.run(store: store) { bus in
            let world = try await Exchange.world(bus, publishing: [Exchange.resource(sharing: "conditional")])
            let tax = try await bus.department(Fixture.tax)
            let civil = try await bus.department(Exchange.civil)
            let asked = try await Exchange.subscribe(tax, fields: ["name", "gender", "birthDate"], permissions: ["pull", "query"])
            #expect(asked.status == 201, "\(asked.text)")
            let id = try #require(asked.json?["id"]?.stringValue)
            #expect(asked.header("location") == "/v1/subscriptions/\(id)")
            #expect(asked.json?["status"]?.stringValue == "pending")
            #expect(asked.json?["grantedFields"] == .array([]))
            #expect(asked.json?["cursor"] == .integer(0))
            #expect(asked.json?["dueAt"]?.stringValue.flatMap(Formats.parseDateTime) != nil)
            #expect(asked.json?["deadlineState"]?.stringValue == "due")

            // Listed for those who may decide it, with its deadline; for nobody else.
            let forProvider = try await world.provider.get("/v1/subscriptions?status=pending")
            #expect(Self.ids(forProvider) == [id])
            let listed = forProvider.json?["subscriptions"]?.arrayValue?.first
            #expect(listed?["dueAt"] == asked.json?["dueAt"])
            #expect(listed?["deadlineState"]?.stringValue == "due")
            #expect(Self.ids(try await world.steward.get("/v1/subscriptions?status=pending")) == [id])
            #expect(Self.ids(try await civil.get("/v1/subscriptions?status=pending")).isEmpty)
            #expect(Self.ids(try await tax.get("/v1/subscriptions?status=pending")).isEmpty, "a consumer does not decide its own request")

            // Nobody but the provider or a steward decides.
            let own = try await tax.post("/v1/subscriptions/\(id)/approve", json: Self.fields(["name", "gender", "birthDate"]))
            #expect(own.status == 403, "\(own.text)")
            #expect(own.problemCode == "forbidden")
            let stranger = try await civil.post("/v1/subscriptions/\(id)/approve")
            #expect(stranger.status == 403 || stranger.status == 404, "\(stranger.text)")
            #expect(try await tax.get("/v1/subscriptions/\(id)").json?["status"]?.stringValue == "pending")
            let early = try await tax.get("/v1/subscriptions/\(id)/messages")
            #expect(early.status == 409)
            #expect(early.problemCode == "subscription-not-active")

            // Only asked fields can be granted.
            let unasked = try await world.provider.post("/v1/subscriptions/\(id)/approve", json: Self.fields(["name", "address"]))
            #expect(unasked.status == 422)
            #expect(unasked.problemCode == "invalid-subscription")

            let approved = try await world.provider.post("/v1/subscriptions/\(id)/approve", json: Self.fields(["birthDate", "name"]))
            #expect(approved.status == 200, "\(approved.text)")
            #expect(approved.json?["status"]?.stringValue == "active")
            #expect(approved.json?["grantedFields"] == .array([.string("name"), .string("birthDate")]), "in the order asked")
            #expect(approved.json?["fields"] == .array([.string("name"), .string("gender"), .string("birthDate")]))
            #expect(approved.json?["decidedBy"]?.stringValue == "dept:yc.psb")
            #expect(approved.json?["decidedAt"]?.stringValue.flatMap(Formats.parseDateTime) != nil)
            #expect(approved.json?["deadlineState"] == nil)
            #expect(Self.ids(try await world.provider.get("/v1/subscriptions?status=pending")).isEmpty)
            #expect(try await world.provider.post("/v1/subscriptions/\(id)/approve").problemCode == "invalid-state")

            // The grant is what the consumer receives, by pull and by query.
            try await world.push([EnvelopeBuilder.upsert(Exchange.record(1))])
            let payload = try await Exchange.pull(tax, id, bus: bus)
            let record = try #require(Exchange.messages(payload).first?["record"]?.objectValue)
            #expect(Set(record.keys) == ["idNumber", "name", "birthDate"])
            let queried = try await tax.get("/v1/resources/\(Exchange.code)/records/\(Exchange.citizenID(1))")
            #expect(Set(queried.json?["record"]?.objectValue.map { Array($0.keys) } ?? []) == ["idNumber", "name", "birthDate"])
        }
    }

    @Test("a rejection needs a reason, and is final", arguments: TestStore.allCases)
    func rejection(store: TestStore) async throws {
        try await TestBus.run(store: store) { bus in
            let world = try await Exchange.world(bus, publishing: [Exchange.resource(sharing: "conditional")])
            let tax = try await bus.department(Fixture.tax)
            let id = try #require(try await Exchange.subscribe(tax, fields: ["name"]).json?["id"]?.stringValue)
            for body: JSONValue in [.object([:]), .object(["reason": .string("   ")]), .object(["reason": .integer(1)])] {
                let reply = try await world.provider.post("/v1/subscriptions/\(id)/reject", json: body)
                #expect(reply.status == 422, "\(reply.text)")
                #expect(reply.problemCode == "invalid-subscription")
            }
            #expect(try await tax.get("/v1/subscriptions/\(id)").json?["status"]?.stringValue == "pending")
            let byConsumer = try await tax.post("/v1/subscriptions/\(id)/reject", json: .object(["reason": .string("changed my mind")]))
            #expect(byConsumer.status == 403)

            let rejected = try await world.provider.post("/v1/subscriptions/\(id)/reject", json: .object(["reason": .string("用途与职责不符")]))
            #expect(rejected.status == 200, "\(rejected.text)")
            #expect(rejected.json?["status"]?.stringValue == "rejected")
            #expect(rejected.json?["reason"]?.stringValue == "用途与职责不符")
            #expect(rejected.json?["decidedBy"]?.stringValue == "dept:yc.psb")
            let later = try await world.provider.post("/v1/subscriptions/\(id)/approve")
            #expect(later.status == 409)
            #expect(later.problemCode == "invalid-state")
            #expect(try await tax.get("/v1/subscriptions/\(id)/messages").problemCode == "subscription-not-active")
        }
    }

    @Test("a resource shared with nobody refuses subscriptions and stores nothing", arguments: TestStore.allCases)
    func notShareable(store: TestStore) async throws {
        try await TestBus.run(store: store) { bus in
            _ = try await Exchange.world(bus, publishing: [Exchange.resource(code: "base.secret", sharing: "none")])
            let tax = try await bus.department(Fixture.tax)
            let before = try await Exchange.Snapshot.take(bus)
            let reply = try await Exchange.subscribe(tax, fields: ["name"], code: "base.secret")
            #expect(reply.status == 403, "\(reply.text)")
            #expect(reply.problemCode == "not-shareable")
            #expect(try await Exchange.Snapshot.take(bus) == before)
            #expect(Self.ids(try await tax.get("/v1/subscriptions")).isEmpty)
        }
    }

    @Test("suspend stops delivery, resume restarts it, revoke ends it", arguments: TestStore.allCases)
    func suspendResumeRevoke(store: TestStore) async throws {
        try await TestBus.run(store: store) { bus in
            let world = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            let subscribed = try await Exchange.subscribe(tax, fields: ["name"], permissions: ["pull", "query"])
            #expect(subscribed.json?["status"]?.stringValue == "active", "unconditional: active at once")
            #expect(subscribed.json?["grantedFields"] == .array([.string("name")]))
            #expect(subscribed.json?["decidedBy"]?.stringValue == "system")
            let id = try #require(subscribed.json?["id"]?.stringValue)
            let path = "/v1/subscriptions/\(id)"
            let queryPath = "/v1/resources/\(Exchange.code)/records/\(Exchange.citizenID(1))"
            try await world.push([EnvelopeBuilder.upsert(Exchange.record(1))])

            #expect(try await tax.post("\(path)/suspend").status == 403, "a consumer does not suspend its own subscription")
            let suspended = try await world.provider.post("\(path)/suspend")
            #expect(suspended.status == 200, "\(suspended.text)")
            #expect(suspended.json?["status"]?.stringValue == "suspended")
            let paused = try await tax.get("\(path)/messages")
            #expect(paused.status == 409)
            #expect(paused.problemCode == "subscription-not-active")
            #expect(try await tax.get(queryPath).problemCode == "not-subscribed")
            #expect(try await world.provider.post("\(path)/suspend").problemCode == "invalid-state")

            // An operator may resume.
            let resumed = try await world.ops.post("\(path)/resume")
            #expect(resumed.status == 200, "\(resumed.text)")
            #expect(resumed.json?["status"]?.stringValue == "active")
            #expect(Exchange.sequences(try await Exchange.pull(tax, id, bus: bus)) == [1])
            #expect(try await tax.get(queryPath).status == 200)

            let revoked = try await world.provider.post("\(path)/revoke")
            #expect(revoked.status == 200, "\(revoked.text)")
            #expect(revoked.json?["status"]?.stringValue == "revoked")
            try await world.push([EnvelopeBuilder.upsert(Exchange.record(2))])
            let ended = try await tax.get("\(path)/messages")
            #expect(ended.status == 409)
            #expect(ended.problemCode == "subscription-not-active")
            let query = try await tax.get(queryPath)
            #expect(query.status == 403)
            #expect(query.problemCode == "not-subscribed")
            #expect(try await world.provider.post("\(path)/resume").problemCode == "invalid-state", "revoked is final")
            #expect(try await tax.get(path).json?["status"]?.stringValue == "revoked")
        }
    }

    @Test("a pending request is due, then warning with 2 working days left, then overdue after 10", arguments: TestStore.allCases)
    func deadline(store: TestStore) async throws {
        let clock = ManualClock(Date())
        try await TestBus.run(store: store, clock: clock) { bus in
            let world = try await Exchange.world(bus, publishing: [Exchange.resource(sharing: "conditional")])
            let tax = try await bus.department(Fixture.tax)
            let requestedAt = clock.now()
            let asked = try await Exchange.subscribe(tax, fields: ["name"])
            let id = try #require(asked.json?["id"]?.stringValue)
            // Due at the end (00:00 China time of the next day) of the 10th working day after the request's day.
            let due = WorkingDays.startOfDay(WorkingDays.later(10, from: requestedAt)).addingTimeInterval(86_400)
            #expect(asked.json?["dueAt"]?.stringValue == Timestamp.format(due))

            for (days, state) in [(0, "due"), (7, "due"), (8, "warning"), (9, "warning"), (10, "warning"), (11, "overdue")] {
                clock.set(WorkingDays.later(days, from: requestedAt))
                let single = try await tax.get("/v1/subscriptions/\(id)")
                #expect(single.json?["deadlineState"]?.stringValue == state, "\(days) working days on")
                let listed = try await world.provider.get("/v1/subscriptions?status=pending").json?["subscriptions"]?.arrayValue?.first
                #expect(listed?["deadlineState"]?.stringValue == state, "\(days) working days on, as listed")
            }
        }
    }
}

/// Working days in China, written out here independently of the bus's calendar: Monday to
/// Friday, less the State Council's holidays, plus its adjusted working weekends (2026, 2027).
enum WorkingDays {
    static let china = TimeZone(secondsFromGMT: 8 * 3600)!

    static let holidays: Set<String> = {
        let ranges = [
            ("2026-01-01", 3), ("2026-02-15", 9), ("2026-04-04", 3), ("2026-05-01", 5), ("2026-06-19", 3), ("2026-09-25", 3),
            ("2026-10-01", 7), ("2027-01-01", 3), ("2027-02-05", 8), ("2027-04-03", 3), ("2027-05-01", 5), ("2027-06-09", 1),
            ("2027-09-15", 1), ("2027-10-01", 7),
        ]
        var days: Set<String> = []
        for (first, count) in ranges {
            let start = day(first)
            for offset in 0..<count { days.insert(key(start.addingTimeInterval(Double(offset) * 86_400))) }
        }
        return days
    }()

    static let workdays: Set<String> = [
        "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10", "2027-01-31", "2027-02-20",
        "2027-05-08", "2027-09-26", "2027-10-09",
    ]

    static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = china
        return calendar
    }

    /// Noon, China time, of `text` (YYYY-MM-DD).
    static func day(_ text: String) -> Date {
        let parts = text.split(separator: "-").map { Int($0)! }
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: 12))!
    }

    static func key(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    static func isWorkingDay(_ date: Date) -> Bool {
        let name = key(date)
        if holidays.contains(name) { return false }
        if workdays.contains(name) { return true }
        let weekday = calendar.component(.weekday, from: date)
        return weekday != 1 && weekday != 7
    }

    /// The same time of day, `n` working days after `start`'s day (China has no daylight saving).
    static func later(_ n: Int, from start: Date) -> Date {
        var date = start
        var counted = 0
        while counted < n {
            date = date.addingTimeInterval(86_400)
            if isWorkingDay(date) { counted += 1 }
        }
        return date
    }

    static func startOfDay(_ date: Date) -> Date { calendar.startOfDay(for: date) }
}
