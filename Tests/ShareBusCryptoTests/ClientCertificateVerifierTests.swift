import Crypto
import Foundation
import ShareBusCore
import Testing
import X509

@testable import ShareBusCrypto

@Suite struct ClientCertificateVerifierTests {
    let ca: PlatformCA
    let verifier: ClientCertificateVerifier
    let notRevoked: @Sendable (Certificate) async -> Bool = { _ in false }

    init() throws {
        ca = try makeCA()
        verifier = ClientCertificateVerifier(caCertificate: ca.certificate)
    }

    func issue(_ profile: CertificateProfile, at now: Date = referenceTime, days: Int = 365) throws -> Certificate {
        try ca.issueP256(profile: profile, now: now, validityDays: days).certificate
    }

    func expectInvalid(_ result: ClientVerification, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .invalid(let reason) = result else {
            Issue.record("accepted, expected a refusal mentioning \"\(text)\"", sourceLocation: sourceLocation)
            return
        }
        #expect(reason.contains(text), "\(reason)", sourceLocation: sourceLocation)
    }

    @Test func acceptsADepartmentCertificate() async throws {
        let leaf = try issue(.department(id: "dept-a", name: "A"))
        let result = await verifier.verify(leaf: leaf, intermediates: [], now: referenceTime.addingTimeInterval(60), isRevoked: notRevoked)
        #expect(result == .valid(principal: .department("dept-a"), certificate: leaf))
        #expect(result.problemCode == ProblemCode?.none)
    }

    @Test func acceptsAnOperatorCertificate() async throws {
        let leaf = try issue(.operator(id: "ops1"))
        let result = await verifier.verify(leaf: leaf, intermediates: [], now: referenceTime, isRevoked: notRevoked)
        #expect(result.principal == .operator("ops1"))
    }

    @Test func refusesACertificateFromAnotherCA() async throws {
        // Same subject name, different key: only the signature tells them apart.
        let impostor = try makeCA()
        #expect(impostor.certificate.subject == ca.certificate.subject)
        let leaf = try impostor.issueP256(profile: .department(id: "dept-a", name: "A"), now: referenceTime, validityDays: 30).certificate
        let result = await verifier.verify(leaf: leaf, intermediates: [impostor.certificate], now: referenceTime, isRevoked: notRevoked)
        expectInvalid(result, containing: "unknown issuer")
        #expect(result.problemCode == .unauthenticated)
    }

    @Test func refusesAnExpiredCertificate() async throws {
        let leaf = try issue(.department(id: "dept-a", name: "A"), at: referenceTime, days: 30)
        let result = await verifier.verify(leaf: leaf, intermediates: [], now: referenceTime.addingTimeInterval(31 * 86_400), isRevoked: notRevoked)
        expectInvalid(result, containing: "expired")
        #expect(result.problemCode == .unauthenticated)
        // The same certificate was fine while it was current.
        let earlier = await verifier.verify(leaf: leaf, intermediates: [], now: referenceTime.addingTimeInterval(29 * 86_400), isRevoked: notRevoked)
        #expect(earlier.principal == .department("dept-a"))
    }

    @Test func refusesACertificateIssuedLongAgo() async throws {
        let oldCA = try makeCA(at: referenceTime.addingTimeInterval(-400 * 86_400))
        let leaf = try oldCA.issueP256(
            profile: .department(id: "dept-a", name: "A"), now: referenceTime.addingTimeInterval(-100 * 86_400), validityDays: 90
        ).certificate
        let oldVerifier = ClientCertificateVerifier(caCertificate: oldCA.certificate)
        expectInvalid(await oldVerifier.verify(leaf: leaf, now: referenceTime, isRevoked: notRevoked), containing: "expired")
    }

    @Test func refusesACertificateNotYetValid() async throws {
        let leaf = try issue(.department(id: "dept-a", name: "A"), at: referenceTime.addingTimeInterval(86_400))
        expectInvalid(await verifier.verify(leaf: leaf, intermediates: [], now: referenceTime, isRevoked: notRevoked), containing: "not yet valid")
    }

    @Test func refusesARevokedCertificate() async throws {
        let revoked = try issue(.department(id: "dept-a", name: "A"))
        let current = try issue(.department(id: "dept-a", name: "A"))
        let revokedSerials: Set<String> = [revoked.serialHex]
        let isRevoked: @Sendable (Certificate) async -> Bool = { revokedSerials.contains($0.serialHex) }
        let result = await verifier.verify(leaf: revoked, intermediates: [], now: referenceTime, isRevoked: isRevoked)
        expectInvalid(result, containing: "revoked")
        #expect(result.problemCode == .certificateRevoked)
        let other = await verifier.verify(leaf: current, intermediates: [], now: referenceTime, isRevoked: isRevoked)
        #expect(other.principal == .department("dept-a"))
    }

    @Test(arguments: [
        CertificateProfile.server(dnsNames: ["localhost"], ipAddresses: []), .busSigning, .signing(departmentID: "dept-a", name: "A"),
    ])
    func refusesCertificatesNotForClientAuth(_ profile: CertificateProfile) async throws {
        let leaf = try issue(profile)
        expectInvalid(
            await verifier.verify(leaf: leaf, intermediates: [], now: referenceTime, isRevoked: notRevoked), containing: "client authentication")
    }

    @Test func refusesTheCACertificateItself() async throws {
        let result = await verifier.verify(leaf: ca.certificate, intermediates: [], now: referenceTime, isRevoked: notRevoked)
        #expect(result.principal == nil)
    }

    @Test func refusesAClientCertificateWithoutAPrincipal() async throws {
        let key = P256.Signing.PrivateKey()
        let leaf = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: referenceTime.addingTimeInterval(-60), notValidAfter: referenceTime.addingTimeInterval(86_400),
            issuer: ca.certificate.subject, subject: try DistinguishedName { CommonName("dept-a") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                try ExtendedKeyUsage([.clientAuth])
                SubjectAlternativeNames([.uniformResourceIdentifier("https://dept-a.example")])
            },
            issuerPrivateKey: .init(ca.privateKey)
        )
        expectInvalid(await verifier.verify(leaf: leaf, intermediates: [], now: referenceTime, isRevoked: notRevoked), containing: "principal")
    }
}
