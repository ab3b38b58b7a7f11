import Crypto
public import Foundation
import ShareBusCore
public import X509

/// A freshly issued certificate with the private key made for it.
public struct IssuedCredential: Sendable {
    public var certificate: Certificate
    /// PKCS#8 PEM of the private key. Hand it to its owner once; the bus does not keep it.
    public var privateKeyPEM: String
    public var certificatePEM: String

    public init(certificate: Certificate, privateKeyPEM: String) {
        self.certificate = certificate
        self.privateKeyPEM = privateKeyPEM
        self.certificatePEM = certificate.pemString
    }
}

extension PlatformCA {
    /// Issues a leaf certificate for `publicKey` under `profile`, valid from `now` (less
    /// `backdating`) for `validityDays` days, signed ECDSA-with-SHA256 by this CA.
    public func issue(
        _ profile: CertificateProfile,
        publicKey: Certificate.PublicKey,
        serial: Certificate.SerialNumber = PlatformCA.randomSerialNumber(),
        now: Date,
        validityDays: Int
    ) throws -> Certificate {
        try profile.validate()
        guard validityDays > 0 else {
            throw ShareBusError.invalidParameter("validityDays must be positive")
        }
        let notAfter = now.addingTimeInterval(TimeInterval(validityDays) * 86_400)
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(profile.keyUsage)
            try profile.extendedKeyUsage
            profile.subjectAlternativeNames
            SubjectKeyIdentifier(hash: publicKey)
            AuthorityKeyIdentifier(keyIdentifier: keyIdentifier)
        }
        return try Certificate(
            version: .v3,
            serialNumber: serial,
            publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-Self.backdating),
            notValidAfter: notAfter,
            issuer: certificate.subject,
            subject: try profile.subject(organizationFallback: certificate.subjectOrganization),
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(privateKey)
        )
    }

    /// Makes a P-256 key pair and issues a certificate for it.
    public func issueP256(profile: CertificateProfile, now: Date, validityDays: Int) throws -> IssuedCredential {
        let key = P256.Signing.PrivateKey()
        let certificate = try issue(profile, publicKey: Certificate.PublicKey(key.publicKey), now: now, validityDays: validityDays)
        return IssuedCredential(certificate: certificate, privateKeyPEM: key.pemRepresentation)
    }
}
