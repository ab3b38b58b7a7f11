import Foundation
import Testing

@testable import ShareBusCore

/// Resources, departments, times and subscriptions shared by the Subscription*Tests suites.
enum SubscriptionFixtures {
    /// Conditional, published, provided by gov.ningxia.gongan, primary key idNumber.
    static let conditional = Fixtures.population
    static let unconditional = with(Fixtures.population) { $0.sharing = .init(type: .unconditional) }
    static let unshareable = with(Fixtures.population) { $0.sharing = .init(type: .none) }

    static let consumer = "gov.ningxia.minzheng"
    static let provider = conditional.provider
    static let steward = "gov.ningxia.dsj"

    static func department(_ id: String, _ roles: [Department.Role], status: Department.Status = .active) -> Department {
        Department(
            id: id, name: id, creditCode: "11640000MB1234567X", level: .provincial, division: "640000", roles: roles,
            status: status, createdAt: "2026-01-01T00:00:00Z")
    }

    /// An instant given as Beijing wall-clock time.
    static func beijing(_ text: String) -> Date { Formats.parseDateTime(text + "+08:00")! }

    /// A subscription to `conditional` in any status, as if it had got there by the state machine.
    static func subscription(_ status: Subscription.Status, granted: [String] = ["name", "gender"]) -> Subscription {
        Subscription(
            id: "0f8fad5b-d9cb-469f-a165-70867728950e", consumer: consumer, resource: conditional.code,
            fields: ["name", "gender", "birthDate"], grantedFields: status == .pending ? [] : granted,
            permissions: [.pull, .query], purpose: "低保资格审核", basis: "《社会救助暂行办法》第十一条", status: status,
            cursor: 7, createdAt: "2026-09-28T02:00:00Z", dueAt: "2026-10-16T16:00:00Z",
            decidedAt: status == .pending ? nil : "2026-09-29T02:00:00Z",
            decidedBy: status == .pending ? nil : "dept:\(provider)", reason: status == .rejected ? "用途不明" : nil)
    }

    static func with<T>(_ value: T, _ change: (inout T) -> Void) -> T {
        var copy = value
        change(&copy)
        return copy
    }
}

@Suite struct SubscriptionTests {
    /// The member names of protocol section 5, copied from the page.
    static let protocolMembers: Set<String> = [
        "id", "consumer", "resource", "fields", "grantedFields", "permissions", "purpose", "basis", "delivery", "status",
        "cursor", "createdAt", "dueAt", "decidedAt", "decidedBy", "reason",
    ]

    func encodedObject(_ subscription: Subscription) throws -> [String: Any] {
        let data = try JSONEncoder().encode(subscription)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func encodesExactlyTheProtocolMembers() throws {
        let rejected = SubscriptionFixtures.subscription(.rejected)
        #expect(Set(try encodedObject(rejected).keys) == Self.protocolMembers)
    }

    @Test func leavesOutNilMembersButKeepsEmptyGrantedFields() throws {
        var pending = SubscriptionFixtures.subscription(.pending)
        pending.basis = nil
        pending.dueAt = nil
        let object = try encodedObject(pending)
        #expect(Set(object.keys) == Self.protocolMembers.subtracting(["basis", "dueAt", "decidedAt", "decidedBy", "reason"]))
        #expect((object["grantedFields"] as? [Any])?.isEmpty == true)
    }

    @Test func encodesWireValues() throws {
        let object = try encodedObject(SubscriptionFixtures.subscription(.active))
        #expect(object["status"] as? String == "active")
        #expect(object["permissions"] as? [String] == ["pull", "query"])
        #expect(object["cursor"] as? Int == 7)
        #expect((object["delivery"] as? [String: String]) == ["mode": "pull"])
    }

    @Test(arguments: Subscription.Status.allCases)
    func roundTrips(_ status: Subscription.Status) throws {
        let subscription = SubscriptionFixtures.subscription(status)
        let decoded = try JSONDecoder().decode(Subscription.self, from: try JSONEncoder().encode(subscription))
        #expect(decoded == subscription)
    }

    @Test(arguments: [
        (Subscription.Delivery.pull, #"{"mode":"pull"}"#),
        (.push(url: "https://mz.nx.gov.cn/hook"), #"{"mode":"push","url":"https:\/\/mz.nx.gov.cn\/hook"}"#),
    ])
    func codesDelivery(_ delivery: Subscription.Delivery, _ json: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(delivery), as: UTF8.self) == json)
        #expect(try JSONDecoder().decode(Subscription.Delivery.self, from: Data(json.utf8)) == delivery)
    }

    @Test(arguments: [#"{"mode":"email"}"#, #"{"mode":"push"}"#, #"{"url":"https://a.example"}"#, #"{"mode":"PULL"}"#])
    func refusesBadDelivery(_ json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Subscription.Delivery.self, from: Data(json.utf8)) }
    }
}
