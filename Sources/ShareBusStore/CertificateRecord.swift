public import Foundation

/// A certificate the platform CA issued, as the bus keeps it: enough to find it by the
/// `x5t#S256` of a JWS header or by serial, to tell whose it is, and whether it is still current.
public struct CertificateRecord: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A department's or operator's mutual-TLS client certificate.
        case client
        /// A department's extra signing certificate (e.g. Ed25519), not for TLS.
        case signing
        /// The bus's own TLS server certificate.
        case server
        /// The certificate that signs receipts, deliveries, evidence and checkpoints.
        case busSigning = "bus-signing"
    }

    /// Lowercase hex of the serial number.
    public var serial: String
    /// Lowercase hex SHA-256 of the DER.
    public var fingerprint: String
    /// `urn:sharebus:dept:<id>`, `urn:sharebus:operator:<id>`, or `urn:sharebus:bus`.
    public var principal: String
    public var kind: Kind
    public var notBefore: Date
    public var notAfter: Date
    public var pem: String
    public var revokedAt: Date?
    public var revocationReason: String?

    public init(
        serial: String, fingerprint: String, principal: String, kind: Kind, notBefore: Date, notAfter: Date,
        pem: String, revokedAt: Date? = nil, revocationReason: String? = nil
    ) {
        self.serial = serial
        self.fingerprint = fingerprint
        self.principal = principal
        self.kind = kind
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.pem = pem
        self.revokedAt = revokedAt
        self.revocationReason = revocationReason
    }

    /// Current: not revoked and within its validity period at `now`.
    public func isCurrent(at now: Date) -> Bool {
        revokedAt == nil && notBefore <= now && now <= notAfter
    }
}
