import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore
import ShareBusTesting
import Testing

/// What the exchange tests share: departments, the resource, records, and small HTTP helpers.
enum Exchange {
    static let code = "base.population"
    static let civil = TestDepartments.make("yc.civil", roles: [.consumer], number: 4)
    static let health = TestDepartments.make("yc.health", roles: [.consumer], number: 5)

    /// A distinctive personal value that must reach consumers and never the audit log.
    static let distinctiveName = "张三丰测试"

    /// A valid GB 11643 number of division 640104 (兴庆区), distinct for each `n` below 10000:
    /// born on 1 January of 1990 + n / 1000, sequence n % 1000.
    static func citizenID(_ n: Int) -> String {
        let first17 = "640104\(1990 + n / 1000)0101" + String(format: "%03d", n % 1000)
        return first17 + String(CitizenID.checkCharacter(for: first17)!)
    }

    /// `citizenID(n)` with a wrong check character.
    static func brokenCitizenID(_ n: Int) -> String {
        let good = citizenID(n)
        return String(good.dropLast()) + (good.last == "1" ? "2" : "1")
    }

    /// The population resource with optional gender, birthDate and address, sharing as asked.
    static func resource(code: String = code, sharing: String = "unconditional", provider: String = "yc.psb") -> JSONValue {
        let extra = [Fixture.field("gender"), Fixture.field("birthDate", type: "date"), Fixture.field("address")]
        guard case .object(var object) = Fixture.resource(code: code, provider: provider, extraFields: extra) else { return .null }
        object["sharing"] = .object(["type": .string(sharing), "basis": .string("国发〔2016〕51号")])
        return .object(object)
    }

    /// A full record of person `n`.
    static func record(_ n: Int, name: String? = nil) -> [String: JSONValue] {
        [
            "idNumber": .string(citizenID(n)), "name": .string(name ?? "测试人员\(n)"), "gender": .string(n % 2 == 0 ? "女" : "男"),
            "birthDate": .string("1990-01-01"), "address": .string("兴庆区测试路\(n)号"),
        ]
    }

    /// A bus with a steward, the provider yc.psb (with its envelope builder) and an operator.
    struct World {
        let bus: TestBus
        let steward: TestClient
        let provider: TestClient
        let builder: EnvelopeBuilder
        let ops: TestClient

        /// A good envelope from yc.psb.
        func envelope(id: UUID = UUID(), resource: String = Exchange.code, createdAt: Date = Date(), _ operations: [JSONValue]) throws
            -> [UInt8]
        {
            try builder.envelope(id: id, sender: Fixture.psb.id, resource: resource, createdAt: createdAt, operations: operations)
        }

        /// Pushes a good envelope from yc.psb and expects 201.
        @discardableResult
        func push(_ operations: [JSONValue], resource: String = Exchange.code, sourceLocation: SourceLocation = #_sourceLocation)
            async throws -> TestClient.Reply
        {
            let reply = try await provider.push(try envelope(resource: resource, operations))
            #expect(reply.status == 201, "push: \(reply.text)", sourceLocation: sourceLocation)
            return reply
        }
    }

    static func world(_ bus: TestBus, publishing resources: [JSONValue] = [resource()]) async throws -> World {
        let steward = try await bus.department(Fixture.steward)
        let provider = try await bus.department(Fixture.psb)
        let ops = try await bus.operator("ops")
        for resource in resources { try await publish(resource, by: steward) }
        return World(bus: bus, steward: steward, provider: provider, builder: try EnvelopeBuilder(credential: provider.credential!), ops: ops)
    }

    static func publish(_ resource: JSONValue, by steward: TestClient) async throws {
        let code = resource["code"]?.stringValue ?? ""
        let created = try await steward.post("/v1/resources", json: resource)
        #expect(created.status == 201, "create \(code): \(created.text)")
        let published = try await steward.post("/v1/resources/\(code)/publish")
        #expect(published.status == 200, "publish \(code): \(published.text)")
    }

    /// `POST /v1/subscriptions` for pull delivery.
    static func subscribe(
        _ consumer: TestClient, fields: [String], permissions: [String] = ["pull"], code: String = code
    ) async throws -> TestClient.Reply {
        try await consumer.post(
            "/v1/subscriptions",
            json: .object([
                "resource": .string(code), "fields": .array(fields.map { .string($0) }),
                "permissions": .array(permissions.map { .string($0) }), "purpose": .string("依法履职核验"),
                "basis": .string("《政务数据共享管理办法》"),
            ]))
    }

    /// Subscribes and expects an active subscription; answers its id.
    static func activeSubscription(
        _ consumer: TestClient, fields: [String], permissions: [String] = ["pull"], code: String = code,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        let reply = try await subscribe(consumer, fields: fields, permissions: permissions, code: code)
        #expect(reply.status == 201, "subscribe: \(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.json?["status"]?.stringValue == "active", sourceLocation: sourceLocation)
        return try #require(reply.json?["id"]?.stringValue, sourceLocation: sourceLocation)
    }

    /// `GET .../messages`, its delivery JWS verified with the bus certificate; the payload, or nil
    /// (with a recorded issue) when the pull did not answer 200.
    static func pull(
        _ consumer: TestClient, _ id: String, query: String = "", bus: TestBus, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> JSONValue? {
        let reply = try await consumer.get("/v1/subscriptions/\(id)/messages\(query.isEmpty ? "" : "?" + query)")
        #expect(reply.status == 200, "pull: \(reply.text)", sourceLocation: sourceLocation)
        guard reply.status == 200 else { return nil }
        #expect(reply.header("content-type") == "application/jose+json", sourceLocation: sourceLocation)
        let delivery = try bus.verifyReply(reply.body, type: BusSigner.deliveryType)
        #expect(delivery.header.type == "sharebus-delivery+jws", sourceLocation: sourceLocation)
        return delivery.payload
    }

    static func messages(_ payload: JSONValue?) -> [JSONValue] { payload?["messages"]?.arrayValue ?? [] }

    static func sequences(_ payload: JSONValue?) -> [Int64] {
        messages(payload).compactMap { if case .integer(let s) = $0["sequence"] { s } else { nil } }
    }

    static func ack(_ consumer: TestClient, _ id: String, _ sequence: Int64) async throws -> TestClient.Reply {
        try await consumer.post("/v1/subscriptions/\(id)/ack", json: .object(["sequence": .integer(sequence)]))
    }

    /// Every audit entry, as an operator reads them, optionally of one action.
    static func audit(_ ops: TestClient, action: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [JSONValue] {
        let reply = try await ops.get("/v1/audit?limit=1000" + (action.map { "&action=\($0)" } ?? ""))
        #expect(reply.status == 200, "audit: \(reply.text)", sourceLocation: sourceLocation)
        return reply.json?["entries"]?.arrayValue ?? []
    }

    /// What a refused request must leave exactly as it was.
    struct Snapshot: Equatable {
        var auditIndex: Int64?
        var auditHash: String?
        var heads: [String: Int64]

        static func take(_ bus: TestBus, resources: [String] = [Exchange.code]) async throws -> Snapshot {
            let head = try await bus.store.auditHead()
            var heads: [String: Int64] = [:]
            for resource in resources { heads[resource] = try await bus.store.head(resource: resource) }
            return Snapshot(auditIndex: head?.index, auditHash: head?.hash, heads: heads)
        }
    }
}
