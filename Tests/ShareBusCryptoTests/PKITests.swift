import Crypto
import Foundation
import ShareBusCore
import SwiftASN1
import Testing
import X509

@testable import ShareBusCrypto

@Suite struct PKITests {
    @Test func caIsASelfSignedP256Authority() throws {
        let ca = try makeCA()
        let cert = ca.certificate
        #expect(cert.subject == cert.issuer)
        #expect(cert.subjectCommonName == "sharebus platform CA")
        #expect(cert.subjectOrganization == "国家数据局 sharebus test")
        #expect(cert.publicKey.isValidSignature(cert.signature, for: cert))
        #expect(try cert.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        #expect(cert.extensions[oid: .X509ExtensionID.basicConstraints]?.critical == true)
        #expect(try cert.extensions.keyUsage == KeyUsage(keyCertSign: true, cRLSign: true))
        #expect(cert.notValidBefore <= referenceTime)
        #expect(cert.notValidAfter > referenceTime.addingTimeInterval(9.9 * 365 * 86_400))
        #expect(cert.notValidAfter < referenceTime.addingTimeInterval(10.1 * 365 * 86_400))
        #expect(cert.signatureAlgorithm == .ecdsaWithSHA256)
    }

    @Test func caRoundTripsThroughPEM() throws {
        let ca = try makeCA()
        let loaded = try PlatformCA(certificatePEM: ca.certificatePEM, privateKeyPEM: ca.privateKeyPEM)
        #expect(loaded.certificate == ca.certificate)
        #expect(loaded.privateKey.rawRepresentation == ca.privateKey.rawRepresentation)
        #expect(ca.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        #expect(throws: ShareBusError.self) {
            try PlatformCA(certificatePEM: ca.certificatePEM, privateKeyPEM: P256.Signing.PrivateKey().pemRepresentation)
        }
    }

    @Test(.enabled(if: hasOpenSSL)) func caKeyLoadsFromSEC1PEM() throws {
        let ca = try makeCA()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pkcs8 = dir.appendingPathComponent("key.pem")
        try ca.privateKeyPEM.write(to: pkcs8, atomically: true, encoding: .utf8)
        let sec1File = dir.appendingPathComponent("sec1.pem")
        let converted = try run(opensslPath, ["ec", "-in", pkcs8.path, "-out", sec1File.path])
        #expect(converted.status == 0, "\(converted.output)")
        let sec1 = try String(contentsOf: sec1File, encoding: .utf8)
        #expect(sec1.contains("-----BEGIN EC PRIVATE KEY-----"))
        let loaded = try PlatformCA(certificatePEM: ca.certificatePEM, privateKeyPEM: sec1)
        #expect(loaded.privateKey.rawRepresentation == ca.privateKey.rawRepresentation)
    }

    @Test func departmentCertificate() throws {
        let ca = try makeCA()
        let issued = try ca.issueP256(profile: .department(id: "nx.gongan", name: "宁夏回族自治区公安厅"), now: referenceTime, validityDays: 365)
        let cert = issued.certificate
        #expect(cert.subjectCommonName == "nx.gongan")
        #expect(cert.subjectOrganization == "宁夏回族自治区公安厅")
        #expect(cert.sanURIs == ["urn:sharebus:dept:nx.gongan"])
        #expect(cert.principal == .department("nx.gongan"))
        #expect(cert.issuer == ca.certificate.subject)
        #expect(cert.signatureAlgorithm == .ecdsaWithSHA256)
        #expect(ca.certificate.publicKey.isValidSignature(cert.signature, for: cert))
        #expect(cert.hasExtendedKeyUsage(.clientAuth))
        #expect(!cert.hasExtendedKeyUsage(.serverAuth))
        #expect(try cert.extensions.basicConstraints == .notCertificateAuthority)
        #expect(cert.extensions[oid: .X509ExtensionID.basicConstraints]?.critical == true)
        #expect(try cert.extensions.keyUsage == KeyUsage(digitalSignature: true))
        #expect(cert.extensions[oid: .X509ExtensionID.keyUsage]?.critical == true)
        #expect(try cert.extensions.subjectKeyIdentifier == SubjectKeyIdentifier(hash: cert.publicKey))
        #expect(try cert.extensions.authorityKeyIdentifier?.keyIdentifier == ca.certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
        #expect(cert.notValidAfter == referenceTime.addingTimeInterval(365 * 86_400))
        // The PEM pair belongs together.
        let key = try P256.Signing.PrivateKey(pemRepresentation: issued.privateKeyPEM)
        #expect(P256.Signing.PublicKey(cert.publicKey)?.rawRepresentation == key.publicKey.rawRepresentation)
        #expect(try Certificate(pemEncoded: issued.certificatePEM) == cert)
    }

    @Test func serialFingerprintAndHex() throws {
        let ca = try makeCA()
        let cert = try ca.issueP256(profile: .operator(id: "ops1"), now: referenceTime, validityDays: 1).certificate
        #expect(cert.serialNumber.bytes.count == 20)
        #expect(cert.serialNumber.bytes.first! < 0x80)
        #expect(cert.serialHex.count == 40)
        #expect(cert.serialHex == cert.serialNumber.bytes.map { String(format: "%02x", $0) }.joined())
        #expect(cert.sha256Fingerprint == SHA256.hash(data: cert.derBytes).map { String(format: "%02x", $0) }.joined())
        let fixed = try ca.issue(
            .operator(id: "ops1"), publicKey: cert.publicKey, serial: .init(bytes: [0x0A, 0xFF]), now: referenceTime, validityDays: 1)
        #expect(fixed.serialHex == "0aff")
        #expect(PlatformCA.randomSerialNumber() != PlatformCA.randomSerialNumber())
    }

    @Test func operatorCertificate() throws {
        let cert = try makeCA().issueP256(profile: .operator(id: "ops-zhang"), now: referenceTime, validityDays: 30).certificate
        #expect(cert.subjectCommonName == "ops-zhang")
        #expect(cert.subjectOrganization == nil)
        #expect(cert.sanURIs == ["urn:sharebus:operator:ops-zhang"])
        #expect(cert.principal == .operator("ops-zhang"))
        #expect(cert.hasExtendedKeyUsage(.clientAuth))
    }

    @Test func serverCertificate() throws {
        let cert = try makeCA().issueP256(
            profile: .server(dnsNames: ["localhost", "bus.example.gov.cn"], ipAddresses: ["127.0.0.1", "::1"]),
            now: referenceTime, validityDays: 90
        ).certificate
        let names = Array(try #require(try cert.extensions.subjectAlternativeNames))
        #expect(
            names == [
                .dnsName("localhost"), .dnsName("bus.example.gov.cn"),
                .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                .ipAddress(ASN1OctetString(contentBytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
            ])
        #expect(cert.hasExtendedKeyUsage(.serverAuth))
        #expect(!cert.hasExtendedKeyUsage(.clientAuth))
        #expect(cert.principal == nil)
    }

    @Test func ed25519SigningCertificate() throws {
        let ca = try makeCA()
        let key = Curve25519.Signing.PrivateKey()
        let cert = try ca.issue(.signing(departmentID: "dept-a", name: "A 局"), publicKey: .init(key.publicKey), now: referenceTime, validityDays: 30)
        #expect(Curve25519.Signing.PublicKey(cert.publicKey)?.rawRepresentation == key.publicKey.rawRepresentation)
        #expect(cert.principal == .department("dept-a"))
        #expect(!cert.hasExtendedKeyUsage(.clientAuth))
        #expect(cert.hasExtendedKeyUsage(CertificateProfile.documentSigning))
        #expect(try cert.extensions.keyUsage == KeyUsage(digitalSignature: true))
        #expect(ca.certificate.publicKey.isValidSignature(cert.signature, for: cert))
        // An envelope signed with it verifies against it.
        let jws = try JWSSigner.ed25519(key).sign(payload: [1, 2, 3], typ: "t", certificateDER: cert.derBytes)
        #expect(JWS.verify(try JWS.parse(jws.encoded()), certificate: cert))
    }

    @Test func busSigningCertificate() throws {
        let cert = try makeCA().issueP256(profile: .busSigning, now: referenceTime, validityDays: 30).certificate
        #expect(cert.subjectCommonName == "sharebus bus signing")
        #expect(cert.sanURIs == ["urn:sharebus:bus"])
        #expect(cert.principal == nil)
        #expect(!cert.hasExtendedKeyUsage(.clientAuth))
    }

    @Test(arguments: [
        CertificateProfile.department(id: "A", name: "x"), .department(id: "a", name: "x"), .department(id: "ok-id", name: " "),
        .operator(id: "-bad"), .signing(departmentID: "a b", name: "x"),
        .server(dnsNames: [], ipAddresses: []), .server(dnsNames: ["bad name"], ipAddresses: []),
        .server(dnsNames: [], ipAddresses: ["300.1.1.1"]), .server(dnsNames: [], ipAddresses: ["1:2:3"]),
        .server(dnsNames: [], ipAddresses: ["010.0.0.1"]),
    ])
    func invalidProfilesAreRefused(_ profile: CertificateProfile) throws {
        let ca = try makeCA()
        #expect(throws: ShareBusError.self) { try ca.issueP256(profile: profile, now: referenceTime, validityDays: 1) }
    }

    @Test(.enabled(if: hasOpenSSL)) func opensslAcceptsTheChain() throws {
        let ca = try makeCA()
        let leaf = try ca.issueP256(profile: .department(id: "dept-a", name: "A"), now: referenceTime, validityDays: 2).certificate
        let other = try makeCA()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let caFile = dir.appendingPathComponent("ca.pem")
        let otherFile = dir.appendingPathComponent("other.pem")
        let leafFile = dir.appendingPathComponent("leaf.pem")
        try ca.certificatePEM.write(to: caFile, atomically: true, encoding: .utf8)
        try other.certificatePEM.write(to: otherFile, atomically: true, encoding: .utf8)
        try leaf.pemString.write(to: leafFile, atomically: true, encoding: .utf8)
        // The PKI is made at the reference time; -attime pins openssl's clock to it.
        let at = String(Int(referenceTime.timeIntervalSince1970) + 3600)
        let good = try run(opensslPath, ["verify", "-attime", at, "-purpose", "sslclient", "-CAfile", caFile.path, leafFile.path])
        #expect(good.status == 0, "\(good.output)")
        let bad = try run(opensslPath, ["verify", "-attime", at, "-CAfile", otherFile.path, leafFile.path])
        #expect(bad.status != 0)
    }
}
