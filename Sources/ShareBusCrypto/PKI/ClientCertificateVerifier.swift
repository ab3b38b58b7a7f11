public import Foundation
import ShareBusCore
import SwiftASN1
@_spi(FixedExpiryValidationTime) public import X509

/// Verifies mTLS client certificates against the platform CA (protocol section 1).
///
/// Chain building, signatures, expiry and basic constraints are swift-certificates' RFC 5280
/// policy, evaluated at the `now` passed in; on top of it the leaf must carry the clientAuth
/// EKU and no certificate below the root may be revoked. Revocation is asked of the caller so that
/// a revocation written to the store takes effect on the next handshake, with no restart.
public struct ClientCertificateVerifier: Sendable {
    public var caCertificate: Certificate

    public init(caCertificate: Certificate) {
        self.caCertificate = caCertificate
    }

    public func verify(
        leaf: Certificate,
        intermediates: [Certificate] = [],
        now: Date,
        isRevoked: @escaping @Sendable (Certificate) async -> Bool
    ) async -> ClientVerification {
        var verifier = Verifier(rootCertificates: CertificateStore([caCertificate])) {
            RFC5280Policy(fixedExpiryValidationTime: now)
            ClientAuthPolicy()
            RevocationPolicy(isRevoked: isRevoked)
        }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates))
        switch result {
        case .validCertificate(let chain):
            let certificate = chain.leaf
            guard let principal = certificate.principal else {
                return .invalid(reason: "certificate has no sharebus principal (SAN URI urn:sharebus:dept:<id> or urn:sharebus:operator:<id>)")
            }
            return .valid(principal: principal, certificate: certificate)
        case .couldNotValidate(let failures):
            guard let failure = failures.first else {
                return .invalid(reason: "unknown issuer: no chain to the platform CA")
            }
            return .invalid(reason: Self.summarize(failure.policyFailureReason.description))
        }
    }

    /// swift-certificates' reasons embed whole certificate dumps; keep what a log reader needs.
    static func summarize(_ reason: String) -> String {
        if reason.hasPrefix(ClientVerification.revokedPrefix) || reason.hasPrefix(ClientAuthPolicy.reasonPrefix) {
            return reason
        }
        if reason.hasSuffix("has expired") { return "certificate expired" }
        if reason.hasSuffix("is not yet valid") { return "certificate not yet valid" }
        return "certificate chain rejected: \(reason)"
    }
}

/// The leaf must be meant for TLS client authentication.
struct ClientAuthPolicy: VerifierPolicy, Sendable {
    static let reasonPrefix = "certificate is not for client authentication"
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [.X509ExtensionID.extendedKeyUsage]

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        guard chain.leaf.hasExtendedKeyUsage(.clientAuth) else {
            return .failsToMeetPolicy(reason: "\(Self.reasonPrefix) (no clientAuth extended key usage)")
        }
        return .meetsPolicy
    }
}

/// No certificate in the chain but the trust anchor itself may be revoked.
struct RevocationPolicy: VerifierPolicy, Sendable {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = []
    let isRevoked: @Sendable (Certificate) async -> Bool

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        for certificate in chain.dropLast() where await isRevoked(certificate) {
            let serial = certificate.serialHex
            return .failsToMeetPolicy(reason: "\(ClientVerification.revokedPrefix): serial \(serial)")
        }
        return .meetsPolicy
    }
}
