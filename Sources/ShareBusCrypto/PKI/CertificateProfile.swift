import Foundation
import ShareBusCore
import SwiftASN1
public import X509

/// What a certificate issued by the platform CA is for. The profile fixes the subject, the SAN,
/// the key usage and the extended key usage, so no caller assembles extensions by hand.
public enum CertificateProfile: Sendable, Hashable {
    /// The bus's TLS server certificate: SAN DNS names and IP addresses, EKU serverAuth.
    case server(dnsNames: [String], ipAddresses: [String])
    /// A department's TLS client certificate: CN = id, O = name, SAN `urn:sharebus:dept:<id>`, EKU clientAuth.
    case department(id: String, name: String)
    /// An operator's TLS client certificate: CN = id, SAN `urn:sharebus:operator:<id>`, EKU clientAuth.
    case `operator`(id: String)
    /// An auditor's TLS client certificate: CN = id, SAN `urn:sharebus:auditor:<id>`, EKU clientAuth.
    case auditor(id: String)
    /// A department's extra envelope signing key (often Ed25519). Key usage digitalSignature, EKU
    /// documentSigning only, so TLS stacks refuse it as a client certificate.
    case signing(departmentID: String, name: String)
    /// The key the bus signs receipts, deliveries, evidence and checkpoints with.
    case busSigning
    /// The bus's TLS client certificate, presented to webhook servers when it pushes deliveries:
    /// SAN `urn:sharebus:bus`, EKU clientAuth (the server certificate has serverAuth only).
    case busClient

    public static let busSigningCommonName = "sharebus bus signing"
    public static let busClientCommonName = "sharebus bus client"
    public static let busURI = "urn:sharebus:bus"
    /// id-kp-documentSigning (RFC 9336).
    public static let documentSigning = ExtendedKeyUsage.Usage(oid: [1, 3, 6, 1, 5, 5, 7, 3, 36])

    /// Refuses identifiers and names that would make a certificate nobody can use.
    public func validate() throws {
        func requireID(_ id: String, _ pointer: String) throws {
            guard DepartmentID.isValid(id) else {
                throw ShareBusError.invalidDepartment([FieldProblem(pointer: pointer, reason: "must match [a-z0-9][a-z0-9.-]{1,63}")])
            }
        }
        func requireName(_ name: String) throws {
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ShareBusError.invalidDepartment([FieldProblem(pointer: "/name", reason: "must not be empty")])
            }
        }
        switch self {
        case .server(let dnsNames, let ipAddresses):
            guard !dnsNames.isEmpty || !ipAddresses.isEmpty else {
                throw ShareBusError.invalidParameter("a server certificate needs at least one DNS name or IP address")
            }
            for name in dnsNames where name.isEmpty || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.*".contains($0)) }) {
                throw ShareBusError.invalidParameter("invalid DNS name \"\(name)\"")
            }
            for address in ipAddresses where IPAddressBytes.parse(address) == nil {
                throw ShareBusError.invalidParameter("invalid IP address \"\(address)\"")
            }
        case .department(let id, let name), .signing(let id, let name):
            try requireID(id, "/id")
            try requireName(name)
        case .operator(let id), .auditor(let id):
            try requireID(id, "/id")
        case .busSigning, .busClient:
            break
        }
    }

    func subject(organizationFallback: String?) throws -> DistinguishedName {
        switch self {
        case .server(let dnsNames, let ipAddresses):
            let cn = dnsNames.first ?? ipAddresses.first ?? "sharebus"
            return try DistinguishedName {
                CommonName(cn)
                if let organizationFallback { OrganizationName(organizationFallback) }
            }
        case .department(let id, let name), .signing(let id, let name):
            return try DistinguishedName {
                CommonName(id)
                OrganizationName(name)
            }
        case .operator(let id), .auditor(let id):
            return try DistinguishedName { CommonName(id) }
        case .busSigning:
            return try DistinguishedName {
                CommonName(Self.busSigningCommonName)
                if let organizationFallback { OrganizationName(organizationFallback) }
            }
        case .busClient:
            return try DistinguishedName {
                CommonName(Self.busClientCommonName)
                if let organizationFallback { OrganizationName(organizationFallback) }
            }
        }
    }

    var subjectAlternativeNames: SubjectAlternativeNames {
        switch self {
        case .server(let dnsNames, let ipAddresses):
            let dns = dnsNames.map { GeneralName.dnsName($0) }
            let ips = ipAddresses.compactMap(IPAddressBytes.parse).map { GeneralName.ipAddress(ASN1OctetString(contentBytes: $0[...])) }
            return SubjectAlternativeNames(dns + ips)
        case .department(let id, _), .signing(let id, _):
            return SubjectAlternativeNames([.uniformResourceIdentifier(Principal.department(id).uri)])
        case .operator(let id):
            return SubjectAlternativeNames([.uniformResourceIdentifier(Principal.operator(id).uri)])
        case .auditor(let id):
            return SubjectAlternativeNames([.uniformResourceIdentifier(Principal.auditor(id).uri)])
        case .busSigning, .busClient:
            return SubjectAlternativeNames([.uniformResourceIdentifier(Self.busURI)])
        }
    }

    var extendedKeyUsage: ExtendedKeyUsage {
        get throws {
            switch self {
            case .server: try ExtendedKeyUsage([.serverAuth])
            case .department, .operator, .auditor, .busClient: try ExtendedKeyUsage([.clientAuth])
            case .signing, .busSigning: try ExtendedKeyUsage([Self.documentSigning])
            }
        }
    }

    var keyUsage: KeyUsage { KeyUsage(digitalSignature: true) }
}
