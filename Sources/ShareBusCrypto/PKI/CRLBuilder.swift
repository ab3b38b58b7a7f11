import Crypto
public import Foundation
import ShareBusCore
import SwiftASN1
import X509

/// Builds the platform CA's DER X.509 v2 CRL (RFC 5280 section 5), published at `GET /v1/pki/crl`.
///
/// swift-certificates has no CRL type, so the structure is written here with SwiftASN1:
///
///     CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue BIT STRING }
///     TBSCertList ::= SEQUENCE { version v2, signature, issuer, thisUpdate, nextUpdate,
///                                revokedCertificates SEQUENCE OF SEQUENCE { serial, date } OPTIONAL,
///                                crlExtensions [0] EXPLICIT Extensions }
public enum CRLBuilder {
    static let ecdsaWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 2]
    static let crlNumberOID: ASN1ObjectIdentifier = [2, 5, 29, 20]

    public static func make(
        ca: PlatformCA,
        revoked: [(serial: [UInt8], revokedAt: Date)],
        thisUpdate: Date,
        nextUpdate: Date,
        crlNumber: Int
    ) throws -> [UInt8] {
        guard nextUpdate > thisUpdate else {
            throw ShareBusError.invalidParameter("CRL nextUpdate must be after thisUpdate")
        }
        guard crlNumber >= 0 else {
            throw ShareBusError.invalidParameter("CRL number must not be negative")
        }
        var tbs = DER.Serializer()
        try tbs.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(1)  // v2
            try writeAlgorithm(into: &coder)
            try coder.serialize(ca.certificate.subject)
            try writeTime(thisUpdate, into: &coder)
            try writeTime(nextUpdate, into: &coder)
            if !revoked.isEmpty {
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    for entry in revoked {
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            let serial = entry.serial.drop(while: { $0 == 0 })
                            try coder.serialize(serial.isEmpty ? [0][...] : ArraySlice(serial))
                            try writeTime(entry.revokedAt, into: &coder)
                        }
                    }
                }
            }
            let extensions: [Certificate.Extension] = [
                try AuthorityKeyIdentifier(keyIdentifier: ca.keyIdentifier).makeCertificateExtension(),
                Certificate.Extension(oid: crlNumberOID, critical: false, value: try derInteger(crlNumber)),
            ]
            try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { coder in
                try coder.serializeSequenceOf(extensions)
            }
        }
        let tbsBytes = tbs.serializedBytes
        let signature = try ca.privateKey.signature(for: tbsBytes).derRepresentation

        var out = DER.Serializer()
        try out.appendConstructedNode(identifier: .sequence) { coder in
            coder.serializeRawBytes(tbsBytes)
            try writeAlgorithm(into: &coder)
            try coder.serialize(ASN1BitString(bytes: ArraySlice(signature)))
        }
        return out.serializedBytes
    }

    /// The CRL as PEM (`-----BEGIN X509 CRL-----`).
    public static func pem(_ der: [UInt8]) -> String {
        PEMDocument(type: "X509 CRL", derBytes: der).pemString
    }

    static func writeAlgorithm(into coder: inout DER.Serializer) throws {
        // RFC 5758 3.2: the ECDSA algorithm identifiers carry no parameters.
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(ecdsaWithSHA256)
        }
    }

    static func derInteger(_ value: Int) throws -> ArraySlice<UInt8> {
        var coder = DER.Serializer()
        try coder.serialize(value)
        return coder.serializedBytes[...]
    }

    /// RFC 5280 5.1.2.4: UTCTime through 2049, GeneralizedTime from 2050, whole seconds, UTC.
    static func writeTime(_ date: Date, into coder: inout DER.Serializer) throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        guard let year = c.year, let month = c.month, let day = c.day,
            let hour = c.hour, let minute = c.minute, let second = c.second
        else { throw ShareBusError(.internalError, "cannot split date \(date)") }
        if year >= 1950 && year < 2050 {
            try coder.serialize(UTCTime(year: year, month: month, day: day, hours: hour, minutes: minute, seconds: second))
        } else {
            try coder.serialize(
                GeneralizedTime(year: year, month: month, day: day, hours: hour, minutes: minute, seconds: second, fractionalSeconds: 0)
            )
        }
    }
}
