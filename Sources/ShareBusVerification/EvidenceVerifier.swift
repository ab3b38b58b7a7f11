public import Foundation
public import ShareBusCore
public import ShareBusCrypto
@_spi(FixedExpiryValidationTime) public import X509

/// Checks evidence offline: the signature with the bus signing certificate, that certificate's chain
/// to the platform CA (at the time the evidence says it was signed), and the payload's form.
public struct EvidenceVerifier: Sendable {
    public let caCertificate: Certificate
    public let busCertificate: Certificate

    public init(caCertificate: Certificate, busCertificate: Certificate) {
        self.caCertificate = caCertificate
        self.busCertificate = busCertificate
    }

    /// What verified evidence says.
    public struct Verified: Sendable {
        public let payload: JSONValue
        public let requestSha256: String
        public let result: JSONValue
        public let caller: String
        public let at: Date
    }

    public func verify(_ text: String) async throws -> Verified {
        try await verify(try EvidenceText.parse(text))
    }

    public func verify(_ jws: ParsedJWS) async throws -> Verified {
        guard jws.header.type == BusSigner.evidenceType else {
            throw EvidenceError("the JWS is a \(jws.header.type), not a \(BusSigner.evidenceType)")
        }
        guard jws.header.certificateThumbprint == JWS.x5tS256(of: busCertificate.derBytes) else {
            throw EvidenceError("the evidence names another signing certificate (x5t#S256) than the bus certificate given")
        }
        guard JWS.verify(jws, certificate: busCertificate) else {
            throw EvidenceError("the signature does not verify with the bus certificate: the evidence was changed or not signed by this bus")
        }
        guard let payload = try? StrictJSON.parse(jws.payload), let members = payload.objectValue else {
            throw EvidenceError("the signed payload is not a JSON object")
        }
        guard Set(members.keys) == ["requestSha256", "result", "caller", "at"],
            let requestSha256 = members["requestSha256"]?.stringValue, requestSha256.utf8.count == 64,
            let result = members["result"], result.objectValue != nil,
            let caller = members["caller"]?.stringValue, Principal(uri: caller) != nil,
            let atText = members["at"]?.stringValue, let at = Formats.parseDateTime(atText)
        else {
            throw EvidenceError("the signed payload is not {\"requestSha256\", \"result\", \"caller\", \"at\"}")
        }
        guard busCertificate.sanURIs.contains(CertificateProfile.busURI),
            busCertificate.hasExtendedKeyUsage(CertificateProfile.documentSigning)
        else {
            throw EvidenceError("the certificate given is not the bus's signing certificate")
        }
        var verifier = Verifier(rootCertificates: CertificateStore([caCertificate])) {
            RFC5280Policy(fixedExpiryValidationTime: at)
        }
        let outcome = await verifier.validate(leaf: busCertificate, intermediates: CertificateStore())
        guard case .validCertificate = outcome else {
            throw EvidenceError("the bus certificate does not chain to the CA certificate given (at \(atText))")
        }
        return Verified(payload: payload, requestSha256: requestSha256, result: result, caller: caller, at: at)
    }
}
