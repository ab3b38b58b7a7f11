import Crypto
import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore
import ShareBusTesting
import Testing
import X509

@Suite("Exchange signing keys")
struct ExchangeSigningTests {
    /// Files a signing certificate the way the CLI does when it registers one for a department.
    static func recordSigning(_ certificate: Certificate, in store: any ShareBusStore) async throws {
        try await store.recordCertificate(
            CertificateRecord(certificate, kind: .signing, principal: certificate.principal!.uri),
            audit: AuditEvent(at: Date(), actor: "system:test", action: "certificate.issue", target: certificate.serialHex))
    }

    /// The `alg` written in a body's protected header.
    static func algorithm(of body: [UInt8]) throws -> String? {
        let protected = try StrictJSON.parse(body)["protected"]?.stringValue
        return try protected.flatMap { Base64URL.decode($0) }.flatMap { try StrictJSON.parse($0)["alg"]?.stringValue }
    }

    @Test("a registered Ed25519 signing certificate signs envelopes, named Ed25519 or EdDSA")
    func ed25519() async throws {
        try await TestBus.run { bus in
            let world = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            let key = Curve25519.Signing.PrivateKey()
            let certificate = try bus.pki.ca.issue(
                .signing(departmentID: Fixture.psb.id, name: Fixture.psb.name), publicKey: Certificate.PublicKey(key.publicKey),
                now: Date(), validityDays: 30)
            let builder = EnvelopeBuilder(signer: .ed25519(key), certificateDER: certificate.derBytes)
            func envelope(_ n: Int) throws -> [UInt8] {
                try builder.envelope(sender: Fixture.psb.id, resource: Exchange.code, operations: [EnvelopeBuilder.upsert(Exchange.record(n))])
            }

            // Not yet registered with the bus: refused.
            let early = try await world.provider.push(try envelope(1))
            #expect(early.status == 403)
            #expect(early.problemCode == "unknown-certificate")

            try await Self.recordSigning(certificate, in: bus.store)
            let body = try envelope(1)
            #expect(try Self.algorithm(of: body) == "Ed25519")
            let accepted = try await world.provider.push(body)
            #expect(accepted.status == 201, "\(accepted.text)")
            let receipt = try bus.verifyReply(accepted.body, type: BusSigner.receiptType).payload
            #expect(receipt["sender"]?.stringValue == Fixture.psb.id)
            #expect(receipt["firstSequence"] == .integer(1))

            // RFC 8037's deprecated name for the same algorithm.
            let payload = try CanonicalJSON.serialize(
                EnvelopeBuilder.message(sender: Fixture.psb.id, resource: Exchange.code, operations: [EnvelopeBuilder.upsert(Exchange.record(2))]))
            let edDSA = try builder.envelope(
                jwsHeader: JWSHeader(algorithm: .edDSA, certificateThumbprint: builder.thumbprint, type: EnvelopeBuilder.envelopeType),
                payload: payload)
            #expect(try Self.algorithm(of: edDSA) == "EdDSA")
            let legacy = try await world.provider.push(edDSA)
            #expect(legacy.status == 201, "\(legacy.text)")
            #expect(try bus.verifyReply(legacy.body, type: BusSigner.receiptType).payload["firstSequence"] == .integer(2))

            // The department's P-256 TLS certificate still signs beside it.
            try await world.push([EnvelopeBuilder.upsert(Exchange.record(3))])
            #expect(try await bus.store.head(resource: Exchange.code) == 3)

            let before = try await Exchange.Snapshot.take(bus)
            // An Ed25519 signature under alg ES256 does not verify.
            let mislabelled = try builder.envelope(
                header: builder.header { $0["alg"] = .string("ES256") },
                payload: try CanonicalJSON.serialize(
                    EnvelopeBuilder.message(sender: Fixture.psb.id, resource: Exchange.code, operations: [EnvelopeBuilder.upsert(Exchange.record(4))])
                ))
            let wrongAlg = try await world.provider.push(mislabelled)
            #expect(wrongAlg.status == 400)
            #expect(wrongAlg.problemCode == "bad-signature")
            // Another department cannot sign with psb's signing certificate, even holding the key.
            let taxMessage = EnvelopeBuilder.message(
                sender: Fixture.tax.id, resource: Exchange.code, operations: [EnvelopeBuilder.upsert(Exchange.record(5))])
            let stolen = try await tax.push(try builder.envelope(taxMessage))
            #expect(stolen.status == 403)
            #expect(stolen.problemCode == "unknown-certificate")
            #expect(try await Exchange.Snapshot.take(bus) == before)
        }
    }
}
