import Crypto
import Foundation
import NIOHTTP1
import ShareBusCore
import ShareBusCrypto
import ShareBusStore
import ShareBusTesting
import Testing
import X509

/// Every class of bad input in the table of docs/reliability.md, sent to a real bus over mutual
/// TLS: each is answered with its status, `application/problem+json` and its stable code, and
/// changes neither the audit chain nor any resource log.
@Suite("Bad input")
struct BadInputTests {
    enum Bad: String, CaseIterable, CustomTestStringConvertible {
        case malformedJSONBody, malformedJSONEnvelope, malformedJSONPayload
        case deepJSONBody, deepJSONEnvelope, deepJSONPayload
        case invalidUTF8Body, invalidUTF8Header, invalidUTF8Payload
        case hugeNumberBody, hugeIntegerBody, hugeNumberPayload
        case duplicateMemberBody, duplicateMemberEnvelope, duplicateMemberHeader, duplicateMemberPayload
        case algNone, algRS256, algHS256, algEdDSAOverP256, p384Key, algES384
        case derSignature
        case oversizedEnvelope, oversizedJSONBody
        case oversizedHeader
        case envelopeIDNotUUID, departmentIDMalformed, senderIDMalformed, resourceUnknown, envelopeForUnknownResource
        case subscriptionIDMalformed, citizenIDBadCheckInRecord, citizenIDBadCheckAsKey, citizenIDBadCheckInPath
        case divisionCodeUnknownInRecord

        var testDescription: String { rawValue }

        var expected: (status: Int, code: String) {
            switch self {
            case .malformedJSONBody, .deepJSONBody, .invalidUTF8Body, .hugeNumberBody, .hugeIntegerBody, .duplicateMemberBody:
                (400, "malformed-request")
            case .malformedJSONEnvelope, .deepJSONEnvelope, .duplicateMemberEnvelope: (400, "malformed-jws")
            case .invalidUTF8Header, .duplicateMemberHeader, .algNone, .algRS256, .algHS256, .algES384: (400, "invalid-jws-header")
            case .malformedJSONPayload, .deepJSONPayload, .invalidUTF8Payload, .hugeNumberPayload, .duplicateMemberPayload,
                .envelopeIDNotUUID, .senderIDMalformed:
                (400, "malformed-message")
            case .algEdDSAOverP256, .p384Key, .derSignature: (400, "bad-signature")
            case .oversizedEnvelope, .oversizedJSONBody: (413, "payload-too-large")
            case .oversizedHeader: (431, "header-too-large")
            case .departmentIDMalformed: (404, "department-not-found")
            case .resourceUnknown, .envelopeForUnknownResource: (404, "resource-not-found")
            case .subscriptionIDMalformed: (404, "subscription-not-found")
            case .citizenIDBadCheckInRecord, .citizenIDBadCheckAsKey, .divisionCodeUnknownInRecord: (422, "schema-violation")
            case .citizenIDBadCheckInPath: (400, "invalid-parameter")
            }
        }

        /// The RFC 6901 pointer a schema violation names.
        var pointer: String? {
            switch self {
            case .citizenIDBadCheckInRecord: "/operations/0/record/idNumber"
            case .citizenIDBadCheckAsKey: "/operations/0/key"
            case .divisionCodeUnknownInRecord: "/operations/0/record/division"
            default: nil
            }
        }
    }

    /// base.population (unconditional, with a `division` field) provided by yc.psb; yc.tax holds a
    /// pull and query subscription to it; yc.health has none yet.
    struct Setting {
        let world: Exchange.World
        let tax: TestClient
        let health: TestClient
        let subscription: String

        var builder: EnvelopeBuilder { world.builder }

        static func make(_ bus: TestBus) async throws -> Setting {
            guard case .object(var resource) = Exchange.resource(), let fields = resource["fields"]?.arrayValue else {
                throw ShareBusError(.internalError, "fixture is not an object")
            }
            resource["fields"] = .array(fields + [Fixture.field("division", type: "divisionCode")])
            let world = try await Exchange.world(bus, publishing: [.object(resource)])
            let tax = try await bus.department(Fixture.tax)
            let health = try await bus.department(Exchange.health)
            let subscription = try await Exchange.activeSubscription(tax, fields: ["name"], permissions: ["pull", "query"])
            return Setting(world: world, tax: tax, health: health, subscription: subscription)
        }

        /// A good message's members, edited.
        func message(_ edit: (inout [String: JSONValue]) -> Void = { _ in }) throws -> [UInt8] {
            var members =
                EnvelopeBuilder.message(
                    sender: Fixture.psb.id, resource: Exchange.code, operations: [EnvelopeBuilder.upsert(Exchange.record(1))]
                ).objectValue ?? [:]
            edit(&members)
            return try CanonicalJSON.serialize(.object(members))
        }

        /// A good message as text with `replacing` swapped for `with`, for spellings a JSONValue cannot hold.
        func messageText(replacing: String, with: String) throws -> [UInt8] {
            Array(String(decoding: try message(), as: UTF8.self).replacingOccurrences(of: replacing, with: with).utf8)
        }

        /// A valid subscription request body, as text.
        static let subscriptionBody =
            #"{"resource":"base.population","fields":["name"],"permissions":["pull"],"purpose":"依法履职核验","basis":"《政务数据共享管理办法》"}"#
    }

    struct Request {
        var client: TestClient
        var method: HTTPMethod = .POST
        var path: String
        var body: [UInt8]? = nil
        var contentType: String? = "application/json"
        var headers: [(String, String)] = []

        static func envelope(_ s: Setting, _ body: [UInt8]) -> Request {
            Request(client: s.world.provider, path: "/v1/envelopes", body: body, contentType: EnvelopeBuilder.mediaType)
        }

        static func subscribe(_ s: Setting, _ text: String) -> Request {
            Request(client: s.health, path: "/v1/subscriptions", body: Array(text.utf8))
        }
    }

    static func request(_ bad: Bad, _ s: Setting) async throws -> Request {
        let b = s.builder
        let body = Setting.subscriptionBody
        switch bad {
        case .malformedJSONBody: return .subscribe(s, String(body.dropLast(2)))
        case .malformedJSONEnvelope: return .envelope(s, Array(#"{"protected":"eyJ9","payload":"#.utf8))
        case .malformedJSONPayload: return .envelope(s, try b.envelope(payload: Array(try s.message().dropLast())))
        case .deepJSONBody:
            return .subscribe(s, String(body.dropLast()) + #","x":"# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}")
        case .deepJSONEnvelope:
            return .envelope(s, Array((String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)).utf8))
        case .deepJSONPayload:
            let deep = String(repeating: "{\"a\":", count: 100) + "1" + String(repeating: "}", count: 100)
            return .envelope(s, try b.envelope(payload: try s.messageText(replacing: "\"upsert\"", with: "\"upsert\",\"x\":\(deep)")))
        case .invalidUTF8Body:
            return Request(client: s.health, path: "/v1/subscriptions", body: Array(body.utf8).map { $0 == 0xE4 ? 0xFF : $0 })
        case .invalidUTF8Header:
            let header = try CanonicalJSON.serialize(b.header).dropLast() + Array(#","n":""#.utf8) + [0xFF] + Array(#""}"#.utf8)
            return .envelope(s, try b.signed(headerBytes: Array(header), payload: try s.message()).encoded())
        case .invalidUTF8Payload:
            return .envelope(s, try b.envelope(payload: try s.message().map { $0 == 0xE6 ? 0xC0 : $0 }))
        case .hugeNumberBody:
            return Request(client: s.tax, path: "/v1/subscriptions/\(s.subscription)/ack", body: Array(#"{"sequence":1e400}"#.utf8))
        case .hugeIntegerBody:
            return Request(client: s.tax, path: "/v1/subscriptions/\(s.subscription)/ack", body: Array(#"{"sequence":123456789012345678901234567890}"#.utf8))
        case .hugeNumberPayload:
            return .envelope(s, try b.envelope(payload: try s.messageText(replacing: "\"upsert\"", with: "\"upsert\",\"n\":1e400")))
        case .duplicateMemberBody:
            return .subscribe(s, "{\"resource\":\"base.population\"," + body.dropFirst())
        case .duplicateMemberEnvelope:
            let good = String(decoding: try b.envelope(payload: try s.message()), as: UTF8.self)
            return .envelope(s, Array(("{\"payload\":\"e30\"," + good.dropFirst()).utf8))
        case .duplicateMemberHeader:
            let header = String(decoding: try CanonicalJSON.serialize(b.header), as: UTF8.self)
            return .envelope(s, try b.signed(headerBytes: Array(("{\"alg\":\"HS256\"," + header.dropFirst()).utf8), payload: try s.message()).encoded())
        case .duplicateMemberPayload:
            return .envelope(s, try b.envelope(payload: try s.messageText(replacing: "{\"createdAt\"", with: "{\"sender\":\"yc.tax\",\"createdAt\"")))
        case .algNone:
            return .envelope(s, try b.envelope(header: b.header { $0["alg"] = .string("none") }, payload: try s.message()))
        case .algRS256:
            return .envelope(s, try b.envelope(header: b.header { $0["alg"] = .string("RS256") }, payload: try s.message()))
        case .algHS256:
            return .envelope(s, try b.envelope(header: b.header { $0["alg"] = .string("HS256") }, payload: try s.message()))
        case .algEdDSAOverP256:
            return .envelope(s, try b.envelope(header: b.header { $0["alg"] = .string("EdDSA") }, payload: try s.message()))
        case .p384Key, .algES384:
            return .envelope(s, try await p384Envelope(s, alg: bad == .p384Key ? "ES256" : "ES384"))
        case .derSignature:
            return .envelope(s, try EnvelopeBuilder.derEncodingSignature(try b.envelope(payload: try s.message())))
        case .oversizedEnvelope:
            return .envelope(s, try b.envelope(payload: try s.message { $0["padding"] = .string(String(repeating: "x", count: 3_200_000)) }))
        case .oversizedJSONBody:
            return Request(client: s.tax, path: "/v1/subscriptions/\(s.subscription)/ack", body: Array(#"{"sequence":1,"x":""#.utf8) + Array(repeating: 0x61, count: 70_000) + Array(#""}"#.utf8))
        case .oversizedHeader:
            return Request(client: s.tax, method: .GET, path: "/v1/resources", headers: [("X-Padding", String(repeating: "a", count: 100_000))])
        case .envelopeIDNotUUID:
            return .envelope(s, try b.envelope(payload: try s.message { $0["id"] = .string("42") }))
        case .departmentIDMalformed:
            return Request(client: s.tax, method: .GET, path: "/v1/departments/Not_A_Department%20ID")
        case .senderIDMalformed:
            return .envelope(s, try b.envelope(payload: try s.message { $0["sender"] = .string("YC.PSB") }))
        case .resourceUnknown:
            return Request(client: s.tax, method: .GET, path: "/v1/resources/no.such..resource")
        case .envelopeForUnknownResource:
            return .envelope(s, try b.envelope(payload: try s.message { $0["resource"] = .string("no.such") }))
        case .subscriptionIDMalformed:
            return Request(client: s.tax, method: .GET, path: "/v1/subscriptions/not-a-uuid/messages")
        case .citizenIDBadCheckInRecord:
            var record = Exchange.record(1)
            record["idNumber"] = .string(Exchange.brokenCitizenID(1))
            return .envelope(s, try b.envelope(payload: try s.message { $0["operations"] = .array([EnvelopeBuilder.upsert(record)]) }))
        case .citizenIDBadCheckAsKey:
            let delete = EnvelopeBuilder.delete(Exchange.brokenCitizenID(2))
            return .envelope(s, try b.envelope(payload: try s.message { $0["operations"] = .array([delete]) }))
        case .citizenIDBadCheckInPath:
            return Request(client: s.tax, method: .GET, path: "/v1/resources/\(Exchange.code)/records/\(Exchange.brokenCitizenID(3))")
        case .divisionCodeUnknownInRecord:
            var record = Exchange.record(1)
            record["division"] = .string("999999")
            return .envelope(s, try b.envelope(payload: try s.message { $0["operations"] = .array([EnvelopeBuilder.upsert(record)]) }))
        }
    }

    /// An envelope signed by a P-384 key whose certificate is registered as yc.psb's signing key:
    /// ES256 promises P-256, so a P-384 signature (96 bytes) never verifies; ES384 is not accepted at all.
    static func p384Envelope(_ s: Setting, alg: String) async throws -> [UInt8] {
        let key = P384.Signing.PrivateKey()
        let certificate = try s.world.bus.pki.ca.issue(
            .signing(departmentID: Fixture.psb.id, name: Fixture.psb.name), publicKey: Certificate.PublicKey(key.publicKey), now: Date(),
            validityDays: 30)
        try await ExchangeSigningTests.recordSigning(certificate, in: s.world.bus.store)
        let header = JSONValue.object([
            "alg": .string(alg), "typ": .string(EnvelopeBuilder.envelopeType), "x5t#S256": .string(JWS.x5tS256(of: certificate.derBytes)),
        ])
        let protectedB64 = Base64URL.encode(try CanonicalJSON.serialize(header))
        let payloadB64 = Base64URL.encode(try s.message())
        let signature = try key.signature(for: Array("\(protectedB64).\(payloadB64)".utf8)).rawRepresentation
        return FlattenedJWS(protected: protectedB64, payload: payloadB64, signature: Base64URL.encode(signature)).encoded()
    }

    @Test("is refused with its problem code and changes nothing", arguments: Bad.allCases)
    func refused(_ bad: Bad) async throws {
        try await TestBus.run { bus in
            let setting = try await Setting.make(bus)
            let request = try await Self.request(bad, setting)
            let before = try await Exchange.Snapshot.take(bus)
            let reply = try await request.client.request(
                request.method, request.path, body: request.body, contentType: request.contentType, headers: request.headers)
            #expect(reply.status == bad.expected.status, "\(reply.text)")
            #expect(reply.header("content-type") == "application/problem+json")
            #expect(reply.problemCode == bad.expected.code, "\(reply.text)")
            #expect(reply.json?["status"] == .integer(Int64(bad.expected.status)))
            if let pointer = bad.pointer {
                #expect(reply.json?["errors"]?.arrayValue?.compactMap { $0["pointer"]?.stringValue } == [pointer], "\(reply.text)")
            }
            #expect(try await Exchange.Snapshot.take(bus) == before)
        }
    }

    /// What the bad cases are made from is itself accepted, so each refusal is down to its one fault.
    @Test("the good envelope, key, query and subscription the bad cases start from are accepted")
    func goodInputIsAccepted() async throws {
        try await TestBus.run { bus in
            let s = try await Setting.make(bus)
            var record = Exchange.record(1)
            record["division"] = .string("640104")
            let pushed = try await s.world.provider.push(
                try s.builder.envelope(payload: try s.message { $0["operations"] = .array([EnvelopeBuilder.upsert(record)]) }))
            #expect(pushed.status == 201, "\(pushed.text)")
            let deleted = try await s.world.provider.push(
                try s.builder.envelope(payload: try s.message { $0["operations"] = .array([EnvelopeBuilder.delete(Exchange.citizenID(2))]) }))
            #expect(deleted.status == 201, "\(deleted.text)")
            let queried = try await s.tax.get("/v1/resources/\(Exchange.code)/records/\(Exchange.citizenID(3))")
            #expect(queried.status == 404 && queried.problemCode == "record-not-found", "\(queried.text)")
            let subscribed = try await s.health.request(.POST, "/v1/subscriptions", body: Array(Setting.subscriptionBody.utf8))
            #expect(subscribed.status == 201, "\(subscribed.text)")
            let delivered = Exchange.sequences(try await Exchange.pull(s.tax, s.subscription, bus: bus))
            #expect(delivered == [1, 2])
            let ack = try await s.tax.post("/v1/subscriptions/\(s.subscription)/ack", json: .object(["sequence": .integer(1)]))
            #expect(ack.status == 200, "\(ack.text)")
        }
    }
}
