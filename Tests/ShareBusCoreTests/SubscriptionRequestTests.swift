import Testing

@testable import ShareBusCore

@Suite struct SubscriptionRequestTests {
    static let good: [String: JSONValue] = [
        "resource": .string("base.population"),
        "fields": .array([.string("name"), .string("gender")]),
        "permissions": .array([.string("pull"), .string("query")]),
        "purpose": .string("低保资格审核"),
        "basis": .string("《社会救助暂行办法》第十一条"),
        "delivery": .object(["mode": .string("pull")]),
    ]

    /// `good` with some members replaced (or, for `nil`, removed).
    static func body(_ changes: [String: JSONValue?]) -> JSONValue {
        var object = good
        for (key, value) in changes { object[key] = value }
        return .object(object)
    }

    func problems(_ json: JSONValue, _ resource: Resource = SubscriptionFixtures.conditional) throws -> [FieldProblem] {
        let error = try #require(throws: ShareBusError.self) { try SubscriptionRequest.parse(json, resource: resource) }
        #expect(error.code == .invalidSubscription)
        return error.problems
    }

    @Test func parsesAGoodRequest() throws {
        let request = try SubscriptionRequest.parse(.object(Self.good), resource: SubscriptionFixtures.conditional)
        #expect(request.resource == "base.population")
        #expect(request.fields == ["name", "gender"])
        #expect(request.permissions == [.pull, .query])
        #expect(request.basis == "《社会救助暂行办法》第十一条")
        #expect(request.delivery == .pull && !request.startAtHead)
        #expect(request.activationCursor(head: 42) == 0)
    }

    @Test func defaultsAndOptions() throws {
        let unconditional = try SubscriptionRequest.parse(
            Self.body(["delivery": nil, "basis": nil]), resource: SubscriptionFixtures.unconditional)
        #expect(unconditional.delivery == .pull && unconditional.basis == nil)

        let push = try SubscriptionRequest.parse(
            Self.body([
                "permissions": .array([.string("push")]), "start": .string("now"),
                "delivery": .object(["mode": .string("push"), "url": .string("https://mz.nx.gov.cn/hook")]),
            ]), resource: SubscriptionFixtures.conditional)
        #expect(push.delivery == .push(url: "https://mz.nx.gov.cn/hook"))
        #expect(push.startAtHead && push.activationCursor(head: 42) == 42)
    }

    @Test func primaryKeyNeedNotBeAskedButMayBe() throws {
        let without = try SubscriptionRequest.parse(Self.body(["fields": .array([.string("name")])]), resource: Fixtures.population)
        #expect(without.fields == ["name"])
        let with = try SubscriptionRequest.parse(Self.body(["fields": .array([.string("idNumber")])]), resource: Fixtures.population)
        #expect(with.fields == ["idNumber"])
    }

    @Test(
        arguments: [
            ("resource", JSONValue.string("base.legal-person"), "/resource"),
            ("resource", nil, "/resource"),
            ("fields", nil, "/fields"),
            ("fields", .array([]), "/fields"),
            ("fields", .string("name"), "/fields"),
            ("fields", .array([.string("name"), .integer(1)]), "/fields/1"),
            ("fields", .array([.string("name"), .string("name")]), "/fields/1"),
            ("permissions", nil, "/permissions"),
            ("permissions", .array([]), "/permissions"),
            ("permissions", .array([.string("pull"), .string("write")]), "/permissions/1"),
            ("permissions", .array([.string("pull"), .string("pull")]), "/permissions/1"),
            ("permissions", .array([.string("pull"), .string("push")]), "/permissions/1"),
            ("purpose", nil, "/purpose"),
            ("purpose", .string("  "), "/purpose"),
            ("purpose", .integer(3), "/purpose"),
            ("purpose", .string(String(repeating: "审", count: 501)), "/purpose"),
            ("basis", nil, "/basis"),
            ("basis", .string(""), "/basis"),
            ("delivery", .string("pull"), "/delivery"),
            ("delivery", .object(["mode": .string("email")]), "/delivery/mode"),
            ("delivery", .object([:]), "/delivery/mode"),
            ("delivery", .object(["mode": .string("pull"), "url": .string("https://a.example")]), "/delivery/url"),
            ("delivery", .object(["mode": .string("pull"), "retry": .integer(3)]), "/delivery/retry"),
            ("delivery", .object(["mode": .string("push"), "url": .string("https://a.example")]), "/delivery/mode"),
            ("start", .string("beginning"), "/start"),
            ("consumer", .string("gov.ningxia.gongan"), "/consumer"),
        ] as [(String, JSONValue?, String)])
    func namesTheMemberAtFault(_ member: String, _ value: JSONValue?, _ pointer: String) throws {
        let found = try problems(Self.body([member: value]))
        #expect(found.map(\.pointer) == [pointer], "\(found)")
    }

    @Test func pushDeliveryNeedsAnHTTPSURL() throws {
        for url: JSONValue in [.string("http://a.example/hook"), .string("https://"), .integer(1)] {
            let body = Self.body([
                "permissions": .array([.string("push")]), "delivery": .object(["mode": .string("push"), "url": url]),
            ])
            #expect(try problems(body).map(\.pointer) == ["/delivery/url"])
        }
    }

    @Test func purposeOfExactlyTheLimitPasses() throws {
        let purpose = String(repeating: "审", count: SubscriptionRequest.maxTextLength)
        #expect(try SubscriptionRequest.parse(Self.body(["purpose": .string(purpose)]), resource: Fixtures.population).purpose == purpose)
    }

    @Test func namesEveryProblemAtOnce() throws {
        let body = Self.body([
            "fields": .array([.string("name"), .string("salary"), .string("name")]),
            "permissions": .array([.string("verify"), .string("read")]),
            "purpose": nil,
            "basis": nil,
            "start": .string("yesterday"),
            "extra": .bool(true),
        ])
        let found = try problems(body)
        #expect(found.map(\.pointer).sorted() == ["/basis", "/extra", "/fields/1", "/fields/2", "/permissions/1", "/purpose", "/start"])
        let unknown = try #require(found.first { $0.pointer == "/fields/1" })
        #expect(unknown.reason.contains("salary"))
        let error = try #require(throws: ShareBusError.self) { try SubscriptionRequest.parse(body, resource: Fixtures.population) }
        #expect(error.detail.contains("salary") && error.detail.contains("/purpose"))
    }

    @Test(arguments: [JSONValue.array([]), .string("{}"), .null])
    func bodyMustBeAnObject(_ json: JSONValue) throws {
        #expect(try problems(json).map(\.pointer) == [""])
    }
}
