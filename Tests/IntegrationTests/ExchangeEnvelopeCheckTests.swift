import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore
import ShareBusTesting
import Testing

/// One hand-made bad envelope per check of protocol section 3. Each is refused with its own
/// status and problem code, and leaves the audit chain and every resource log as they were.
@Suite("Exchange envelope checks")
struct ExchangeEnvelopeCheckOnBothStores {
    enum Bad: String, CaseIterable, CustomTestStringConvertible {
        case bodyTooLarge, bodyTooLargeAndWrongType, wrongContentType
        case notJSON, notAnObject, duplicateMember, missingSignature, extraMember, unprotectedHeader, paddedBase64, standardBase64
        case algNone, algHS256, missingThumbprint, wrongType, headerNotJSON, duplicateHeaderMember
        case thumbprintOfAnotherDepartment, thumbprintOfUnknownCertificate, thumbprintOfRevokedCertificate
        case tamperedSignature, derSignature, signedByAnotherKey, payloadChanged
        case payloadNotJSON, payloadNotObject, missingID, idNotUUID, badCreatedAt, unknownOperation, extraMessageMember
        case senderMismatch, clockAhead, createdAtInFuture
        case unknownResource, draftResource, callerNotProvider
        case noOperations, tooManyOperations, schemaViolation

        var testDescription: String { rawValue }

        var expected: (status: Int, code: String) {
            switch self {
            case .bodyTooLarge, .bodyTooLargeAndWrongType: (413, "payload-too-large")
            case .wrongContentType: (415, "unsupported-media-type")
            case .notJSON, .notAnObject, .duplicateMember, .missingSignature, .extraMember, .unprotectedHeader, .paddedBase64, .standardBase64:
                (400, "malformed-jws")
            case .algNone, .algHS256, .missingThumbprint, .wrongType, .headerNotJSON, .duplicateHeaderMember: (400, "invalid-jws-header")
            case .thumbprintOfAnotherDepartment, .thumbprintOfUnknownCertificate, .thumbprintOfRevokedCertificate:
                (403, "unknown-certificate")
            case .tamperedSignature, .derSignature, .signedByAnotherKey, .payloadChanged: (400, "bad-signature")
            case .payloadNotJSON, .payloadNotObject, .missingID, .idNotUUID, .badCreatedAt, .unknownOperation, .extraMessageMember:
                (400, "malformed-message")
            case .senderMismatch: (403, "sender-mismatch")
            case .clockAhead, .createdAtInFuture: (400, "clock-skew")
            case .unknownResource: (404, "resource-not-found")
            case .draftResource: (409, "resource-not-published")
            case .callerNotProvider: (403, "not-provider")
            case .noOperations, .tooManyOperations: (422, "bad-operation-count")
            case .schemaViolation: (422, "schema-violation")
            }
        }
    }

    /// A bus with base.population published and base.draft left a draft, both provided by yc.psb,
    /// and yc.tax, a consumer that provides nothing.
    struct Setting {
        let world: Exchange.World
        let tax: TestClient
        let clock: ManualClock
        static let draft = "base.draft"

        var bus: TestBus { world.bus }
        var builder: EnvelopeBuilder { world.builder }
        var upsert: JSONValue { EnvelopeBuilder.upsert(Exchange.record(1)) }

        func message(_ edit: (inout [String: JSONValue]) -> Void = { _ in }) throws -> [UInt8] {
            var members =
                EnvelopeBuilder.message(sender: Fixture.psb.id, resource: Exchange.code, createdAt: clock.now(), operations: [upsert])
                .objectValue ?? [:]
            edit(&members)
            return try CanonicalJSON.serialize(.object(members))
        }

        func good() throws -> [UInt8] { try builder.envelope(payload: try message()) }
    }

    /// The caller, the body and its content type for one bad case. Setting-up may change the
    /// store (a control envelope, a revocation); the snapshot is taken after.
    static func make(_ bad: Bad, _ s: Setting) async throws -> (TestClient, [UInt8], String) {
        let jose = EnvelopeBuilder.mediaType
        let psb = s.world.provider
        switch bad {
        case .bodyTooLarge, .bodyTooLargeAndWrongType:
            // A correctly signed envelope whose only fault is its size: 3.2 MB of payload is 4.3 MB of base64.
            var big = Exchange.record(1)
            big["address"] = .string(String(repeating: "x", count: 3_200_000))
            let body = try s.builder.envelope(payload: try s.message { $0["operations"] = .array([EnvelopeBuilder.upsert(big)]) })
            #expect(body.count > 4 * 1024 * 1024)
            return (psb, body, bad == .bodyTooLarge ? jose : "application/json")
        case .wrongContentType:
            return (psb, try s.good(), "application/json")
        case .notJSON:
            return (psb, Array("protected=abc&payload=def".utf8), jose)
        case .notAnObject:
            let good = try StrictJSON.parse(try s.good())
            return (psb, try CanonicalJSON.serialize(.array([good])), jose)
        case .duplicateMember:
            // Two payloads: two readers could see two different messages.
            let good = String(decoding: try s.good(), as: UTF8.self)
            return (psb, Array(("{\"payload\":\"e30\"," + good.dropFirst()).utf8), jose)
        case .missingSignature:
            return (psb, try EnvelopeBuilder.editing(try s.good()) { $0["signature"] = nil }, jose)
        case .extraMember:
            return (psb, try EnvelopeBuilder.editing(try s.good()) { $0["kid"] = .string("dept-key-1") }, jose)
        case .unprotectedHeader:
            return (psb, try EnvelopeBuilder.editing(try s.good()) { $0["header"] = .object(["kid": .string("dept-key-1")]) }, jose)
        case .paddedBase64:
            // A 2-byte payload takes padding in standard base64: "e30=" for "{}".
            let body = try s.builder.envelope(payload: Array("{}".utf8))
            return (psb, try EnvelopeBuilder.editing(body) { $0["payload"] = .string("e30=") }, jose)
        case .standardBase64:
            // '+' belongs to standard base64, not to base64url.
            return (
                psb,
                try EnvelopeBuilder.editing(try s.good()) { members in
                    members["protected"] = .string("+" + members["protected"]!.stringValue!.dropFirst())
                }, jose
            )
        case .algNone:
            return (psb, try s.builder.envelope(header: s.builder.header { $0["alg"] = .string("none") }, payload: try s.message()), jose)
        case .algHS256:
            return (psb, try s.builder.envelope(header: s.builder.header { $0["alg"] = .string("HS256") }, payload: try s.message()), jose)
        case .missingThumbprint:
            return (psb, try s.builder.envelope(header: s.builder.header { $0["x5t#S256"] = nil }, payload: try s.message()), jose)
        case .wrongType:
            return (psb, try s.builder.envelope(header: s.builder.header { $0["typ"] = .string("JWT") }, payload: try s.message()), jose)
        case .headerNotJSON:
            let jws = try s.builder.signed(headerBytes: Array("alg=ES256".utf8), payload: try s.message())
            return (psb, jws.encoded(), jose)
        case .duplicateHeaderMember:
            let thumbprint = s.builder.thumbprint
            let header = "{\"alg\":\"ES256\",\"typ\":\"sharebus-envelope+jws\",\"x5t#S256\":\"\(thumbprint)\",\"alg\":\"none\"}"
            return (psb, try s.builder.signed(headerBytes: Array(header.utf8), payload: try s.message()).encoded(), jose)
        case .thumbprintOfAnotherDepartment:
            // tax's own key and certificate, perfectly signed, pushed over psb's connection.
            let taxBuilder = try EnvelopeBuilder(credential: s.tax.credential!)
            return (psb, try taxBuilder.envelope(payload: try s.message()), jose)
        case .thumbprintOfUnknownCertificate:
            // Issued to yc.psb by the platform CA, but never recorded by the bus.
            let stray = try s.bus.pki.department(Fixture.psb.id, name: Fixture.psb.name)
            return (psb, try EnvelopeBuilder(credential: stray).envelope(payload: try s.message()), jose)
        case .thumbprintOfRevokedCertificate:
            let second = try s.bus.pki.department(Fixture.psb.id, name: Fixture.psb.name)
            try await TestPKI.record(second, in: s.bus.store)
            let builder = try EnvelopeBuilder(credential: second)
            // Control: while current, the second certificate signs for psb.
            #expect(try await psb.push(try builder.envelope(payload: try s.message())).status == 201)
            _ = try await s.bus.store.revokeCertificate(
                serial: second.certificate.serialHex, reason: "keyCompromise",
                audit: AuditEvent(at: Date(), actor: "system:test", action: "certificate.revoke", target: second.certificate.serialHex))
            return (psb, try builder.envelope(payload: try s.message()), jose)
        case .tamperedSignature:
            return (psb, try EnvelopeBuilder.tamperingSignature(try s.good()), jose)
        case .derSignature:
            let body = try EnvelopeBuilder.derEncodingSignature(try s.good())
            let signature = try StrictJSON.parse(body)["signature"]?.stringValue.flatMap { Base64URL.decode($0) } ?? []
            #expect(signature.first == 0x30 && signature.count > 64, "an ASN.1 SEQUENCE, not r||s")
            return (psb, body, jose)
        case .signedByAnotherKey:
            // psb's certificate named, tax's key used.
            let taxBuilder = try EnvelopeBuilder(credential: s.tax.credential!)
            let forged = EnvelopeBuilder(signer: taxBuilder.signer, certificateDER: s.builder.certificateDER)
            return (psb, try forged.envelope(payload: try s.message()), jose)
        case .payloadChanged:
            let other = Base64URL.encode(try s.message { $0["operations"] = .array([EnvelopeBuilder.upsert(Exchange.record(2))]) })
            return (psb, try EnvelopeBuilder.editing(try s.good()) { $0["payload"] = .string(other) }, jose)
        case .payloadNotJSON:
            return (psb, try s.builder.envelope(payload: Array("upsert 640104199001010011".utf8)), jose)
        case .payloadNotObject:
            return (psb, try s.builder.envelope(payload: try CanonicalJSON.serialize(.array([s.upsert]))), jose)
        case .missingID:
            return (psb, try s.builder.envelope(payload: try s.message { $0["id"] = nil }), jose)
        case .idNotUUID:
            return (psb, try s.builder.envelope(payload: try s.message { $0["id"] = .string("envelope-1") }), jose)
        case .badCreatedAt:
            return (psb, try s.builder.envelope(payload: try s.message { $0["createdAt"] = .string("2026-11-22 12:00") }), jose)
        case .unknownOperation:
            let merge = JSONValue.object(["op": .string("merge"), "record": .object(Exchange.record(1))])
            return (psb, try s.builder.envelope(payload: try s.message { $0["operations"] = .array([s.upsert, merge]) }), jose)
        case .extraMessageMember:
            return (psb, try s.builder.envelope(payload: try s.message { $0["priority"] = .string("high") }), jose)
        case .senderMismatch:
            // tax signs with its own current certificate, but writes psb as the sender.
            let taxBuilder = try EnvelopeBuilder(credential: s.tax.credential!)
            return (s.tax, try taxBuilder.envelope(payload: try s.message()), jose)
        case .clockAhead:
            // createdAt is the true time; the bus clock has moved 10 minutes on.
            let body = try s.good()
            s.clock.advance(by: 600)
            return (psb, body, jose)
        case .createdAtInFuture:
            let future = Timestamp.format(s.clock.now().addingTimeInterval(600))
            return (psb, try s.builder.envelope(payload: try s.message { $0["createdAt"] = .string(future) }), jose)
        case .unknownResource:
            return (psb, try s.builder.envelope(payload: try s.message { $0["resource"] = .string("base.unknown") }), jose)
        case .draftResource:
            return (psb, try s.builder.envelope(payload: try s.message { $0["resource"] = .string(Setting.draft) }), jose)
        case .callerNotProvider:
            let taxBuilder = try EnvelopeBuilder(credential: s.tax.credential!)
            return (s.tax, try taxBuilder.envelope(payload: try s.message { $0["sender"] = .string(Fixture.tax.id) }), jose)
        case .noOperations:
            return (psb, try s.builder.envelope(payload: try s.message { $0["operations"] = .array([]) }), jose)
        case .tooManyOperations:
            let operations = (1...1001).map { EnvelopeBuilder.upsert(Exchange.record($0)) }
            return (psb, try s.builder.envelope(payload: try s.message { $0["operations"] = .array(operations) }), jose)
        case .schemaViolation:
            var noName = Exchange.record(3)
            noName["name"] = nil
            let operations = [
                s.upsert, EnvelopeBuilder.upsert(Exchange.record(2).merging(["idNumber": .string(Exchange.brokenCitizenID(2))]) { $1 }),
                EnvelopeBuilder.upsert(noName),
            ]
            return (psb, try s.builder.envelope(payload: try s.message { $0["operations"] = .array(operations) }), jose)
        }
    }

    @Test("a bad envelope is refused with its own code and changes nothing", arguments: TestStore.allCases, Bad.allCases)
    func refused(store: TestStore, _ bad: Bad) async throws {
        let clock = ManualClock(Date())
        try await TestBus.run(store: store, clock: clock) { bus in
            let world = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            let created = try await world.steward.post("/v1/resources", json: Exchange.resource(code: Setting.draft))
            #expect(created.status == 201)
            let setting = Setting(world: world, tax: tax, clock: clock)
            let (caller, body, contentType) = try await Self.make(bad, setting)

            let resources = [Exchange.code, Setting.draft]
            let before = try await Exchange.Snapshot.take(bus, resources: resources)
            let reply = try await caller.request(.POST, "/v1/envelopes", body: body, contentType: contentType)
            #expect(reply.status == bad.expected.status, "\(reply.text)")
            #expect(reply.problemCode == bad.expected.code, "\(reply.text)")
            #expect(reply.header("content-type") == "application/problem+json")
            #expect(try await Exchange.Snapshot.take(bus, resources: resources) == before, "a refused envelope stores nothing")

            if bad == .schemaViolation {
                let errors = reply.json?["errors"]?.arrayValue ?? []
                let pointers = errors.compactMap { $0["pointer"]?.stringValue }
                #expect(pointers == ["/operations/1/record/idNumber", "/operations/2/record/name"], "\(reply.text)")
                #expect(errors.allSatisfy { !($0["reason"]?.stringValue ?? "").isEmpty })
                #expect(errors.first?["reason"]?.stringValue?.contains("check character") == true, "\(reply.text)")
            }
        }
    }

    @Test("limits are inclusive: 1000 operations and createdAt 299 s behind the bus clock are accepted", arguments: TestStore.allCases)
    func boundaries(store: TestStore) async throws {
        let clock = ManualClock(Date())
        try await TestBus.run(store: store, clock: clock) { bus in
            let world = try await Exchange.world(bus)
            let createdAt = clock.now()
            clock.advance(by: 299)
            let operations = (1...1000).map { EnvelopeBuilder.upsert(Exchange.record($0)) }
            let reply = try await world.provider.push(try world.envelope(createdAt: createdAt, operations))
            #expect(reply.status == 201, "\(reply.text)")
            let receipt = try bus.verifyReply(reply.body, type: BusSigner.receiptType).payload
            #expect(receipt["firstSequence"] == .integer(1))
            #expect(receipt["lastSequence"] == .integer(1000))
            #expect(try await bus.store.head(resource: Exchange.code) == 1000)
        }
    }

    @Test("checks run in the protocol's order: a bad signature is reported before a bad message", arguments: TestStore.allCases)
    func order(store: TestStore) async throws {
        try await TestBus.run(store: store) { bus in
            let world = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            // Wrong sender, unknown resource, no operations, and a broken signature: the signature wins.
            let message = EnvelopeBuilder.message(sender: Fixture.tax.id, resource: "base.unknown", operations: [])
            let broken = try EnvelopeBuilder.tamperingSignature(try world.builder.envelope(message))
            #expect(try await world.provider.push(broken).problemCode == "bad-signature")
            // Signed well by tax's certificate over psb's connection: the certificate is refused first.
            let taxBuilder = try EnvelopeBuilder(credential: tax.credential!)
            #expect(try await world.provider.push(try taxBuilder.envelope(message)).problemCode == "unknown-certificate")
            // From tax itself: the message form is fine, so the sender comes next.
            let asPSB = EnvelopeBuilder.message(sender: Fixture.psb.id, resource: "base.unknown", operations: [])
            #expect(try await tax.push(try taxBuilder.envelope(asPSB)).problemCode == "sender-mismatch")
            #expect(try await tax.push(try taxBuilder.envelope(message)).problemCode == "resource-not-found")
        }
    }
}
