public import Crypto
public import Foundation
import ShareBusCore
import SwiftASN1
public import X509

/// The platform certificate authority: a self-signed P-256 CA certificate and its key.
///
/// It issues every certificate the bus trusts (protocol section 1) and signs the CRL.
public struct PlatformCA: Sendable {
    public let certificate: Certificate
    public let privateKey: P256.Signing.PrivateKey

    public static let defaultCommonName = "sharebus platform CA"
    /// Certificates are dated this long before `now`, so that a peer whose clock is a little
    /// behind does not see a fresh certificate as not yet valid.
    public static let backdating: TimeInterval = 300

    public init(certificate: Certificate, privateKey: P256.Signing.PrivateKey) throws {
        guard let publicKey = P256.Signing.PublicKey(certificate.publicKey),
            publicKey.rawRepresentation == privateKey.publicKey.rawRepresentation
        else {
            throw ShareBusError(.internalError, "platform CA key does not match its certificate")
        }
        self.certificate = certificate
        self.privateKey = privateKey
    }

    /// Loads a CA from PEM: the certificate, and the key in PKCS#8 (`PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`).
    public init(certificatePEM: String, privateKeyPEM: String) throws {
        let certificate: Certificate
        let key: P256.Signing.PrivateKey
        do {
            certificate = try Certificate(pemEncoded: certificatePEM)
        } catch {
            throw ShareBusError(.internalError, "platform CA certificate PEM is unreadable: \(error)")
        }
        do {
            key = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        } catch {
            throw ShareBusError(.internalError, "platform CA key PEM is not a P-256 key: \(error)")
        }
        try self.init(certificate: certificate, privateKey: key)
    }

    /// Makes a new CA valid from `now` (less `backdating`) for `validityYears` years.
    public static func create(
        commonName: String = defaultCommonName, organization: String, now: Date, validityYears: Int = 10
    ) throws -> PlatformCA {
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let name = try DistinguishedName {
            CommonName(commonName)
            OrganizationName(organization)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let notAfter = calendar.date(byAdding: .year, value: validityYears, to: now) else {
            throw ShareBusError(.internalError, "cannot compute the CA's expiry")
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: publicKey)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: randomSerialNumber(),
            publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-backdating),
            notValidAfter: notAfter,
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(key)
        )
        return try PlatformCA(certificate: certificate, privateKey: key)
    }

    public var certificatePEM: String { certificate.pemString }

    /// The key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    public var privateKeyPEM: String { privateKey.pemRepresentation }

    /// The key identifier written as AKI in everything this CA signs: the CA's own SKI.
    var keyIdentifier: ArraySlice<UInt8> {
        if let ski = try? certificate.extensions.subjectKeyIdentifier { return ski.keyIdentifier }
        return SubjectKeyIdentifier(hash: certificate.publicKey).keyIdentifier
    }

    /// A random positive serial of exactly 20 bytes (RFC 5280 4.1.2.2's maximum).
    public static func randomSerialNumber() -> Certificate.SerialNumber {
        var bytes = (0..<20).map { _ in UInt8.random(in: .min ... .max) }
        // Top bit clear keeps it positive without a 21st byte; a non-zero top byte keeps it 20 long.
        bytes[0] = bytes[0] & 0x7F | 0x01
        return Certificate.SerialNumber(bytes: bytes)
    }
}
