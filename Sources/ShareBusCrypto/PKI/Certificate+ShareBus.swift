import Crypto
public import ShareBusCore
import SwiftASN1
public import X509

extension Certificate {
    /// The certificate's DER encoding.
    public var derBytes: [UInt8] {
        var serializer = DER.Serializer()
        // Certificate.serialize only copies the bytes it was parsed or built from; it cannot throw.
        try! serializer.serialize(self)
        return serializer.serializedBytes
    }

    /// PEM text (`-----BEGIN CERTIFICATE-----`).
    public var pemString: String {
        PEMDocument(type: "CERTIFICATE", derBytes: derBytes).pemString
    }

    /// Lowercase hex of the SHA-256 of the DER, the usual certificate fingerprint.
    public var sha256Fingerprint: String {
        CertificateFingerprint.sha256Hex(derBytes)
    }

    /// Lowercase hex of the serial number's bytes, without leading zero bytes.
    public var serialHex: String {
        Hex.encode(serialNumber.bytes)
    }

    /// The URIs in the subject alternative name extension.
    public var sanURIs: [String] {
        guard let names = try? extensions.subjectAlternativeNames else { return [] }
        return names.compactMap {
            if case .uniformResourceIdentifier(let uri) = $0 { return uri }
            return nil
        }
    }

    /// The department or operator this certificate speaks for, read from its SAN URI.
    /// Nil when there is none, or when more than one URI names a principal (ambiguous).
    public var principal: Principal? {
        let principals = sanURIs.compactMap(Principal.init(uri:))
        return principals.count == 1 ? principals[0] : nil
    }

    /// The first subject common name, if any.
    public var subjectCommonName: String? { subject.firstValue(of: .RDNAttributeType.commonName) }

    /// The first subject organization name, if any.
    public var subjectOrganization: String? { subject.firstValue(of: .RDNAttributeType.organizationName) }

    /// Whether the extended key usage extension lists `usage`.
    public func hasExtendedKeyUsage(_ usage: ExtendedKeyUsage.Usage) -> Bool {
        guard let eku = try? extensions.extendedKeyUsage else { return false }
        return eku.contains(usage)
    }
}

extension DistinguishedName {
    func firstValue(of type: ASN1ObjectIdentifier) -> String? {
        for rdn in self {
            for attribute in rdn where attribute.type == type {
                return String(attribute.value)
            }
        }
        return nil
    }
}
