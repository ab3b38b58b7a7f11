import Crypto
import Foundation
import ShareBusCore
import SwiftASN1
import Testing
import X509

@testable import ShareBusCrypto

@Suite struct CRLBuilderTests {
    struct OpenSSLResult {
        var status: Int32
        var output: String
    }

    func opensslCRL(_ der: [UInt8], caPEM: String) throws -> OpenSSLResult {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let crlFile = dir.appendingPathComponent("crl.der")
        let caFile = dir.appendingPathComponent("ca.pem")
        try Data(der).write(to: crlFile)
        try caPEM.write(to: caFile, atomically: true, encoding: .utf8)
        let result = try run(opensslPath, ["crl", "-inform", "DER", "-in", crlFile.path, "-CAfile", caFile.path, "-noout", "-text"])
        return OpenSSLResult(status: result.status, output: result.output)
    }

    @Test(.enabled(if: hasOpenSSL)) func opensslVerifiesTheCRLAndListsRevokedSerials() throws {
        let ca = try makeCA()
        let revoked = try ca.issueP256(profile: .department(id: "dept-a", name: "A"), now: referenceTime, validityDays: 30).certificate
        let small: [UInt8] = [0x00, 0x9A]  // leading zero dropped; high bit set needs a sign byte again
        let der = try CRLBuilder.make(
            ca: ca,
            revoked: [(Array(revoked.serialNumber.bytes), referenceTime.addingTimeInterval(3600)), (small, referenceTime)],
            thisUpdate: referenceTime.addingTimeInterval(7200), nextUpdate: referenceTime.addingTimeInterval(7 * 86_400), crlNumber: 42
        )
        let result = try opensslCRL(der, caPEM: ca.certificatePEM)
        #expect(result.output.contains("verify OK"), "\(result.output)")
        #expect(result.output.contains("Version 2"))
        #expect(result.output.contains("Serial Number: \(revoked.serialHex.uppercased())"), "\(result.output)")
        #expect(result.output.contains("Serial Number: 9A"))
        #expect(result.output.contains("X509v3 CRL Number"))
        #expect(result.output.contains("42"))
        #expect(result.output.contains("Last Update: Nov 22 02:00:00 2026 GMT"))
        #expect(result.output.contains("Next Update: Nov 29 00:00:00 2026 GMT"))
        #expect(result.output.contains("ecdsa-with-SHA256"))
    }

    @Test(.enabled(if: hasOpenSSL)) func anotherCAsKeyDoesNotVerify() throws {
        let ca = try makeCA()
        let der = try CRLBuilder.make(
            ca: ca, revoked: [], thisUpdate: referenceTime, nextUpdate: referenceTime.addingTimeInterval(86_400), crlNumber: 1)
        let good = try opensslCRL(der, caPEM: ca.certificatePEM)
        #expect(good.output.contains("verify OK"))
        #expect(good.output.contains("No Revoked Certificates"))
        let bad = try opensslCRL(der, caPEM: try makeCA().certificatePEM)
        #expect(!bad.output.contains("verify OK"))
    }

    @Test func structureFollowsRFC5280() throws {
        let ca = try makeCA()
        let later = Date(timeIntervalSince1970: 2_556_144_000)  // 2051-01-01: GeneralizedTime territory
        let der = try CRLBuilder.make(ca: ca, revoked: [], thisUpdate: referenceTime, nextUpdate: later, crlNumber: 7)
        let root = try DER.parse(der)
        guard case .constructed(let top) = root.content else { throw ShareBusError(.internalError, "not a sequence") }
        let parts = Array(top)
        #expect(parts.count == 3)
        guard case .constructed(let tbsNodes) = parts[0].content else { throw ShareBusError(.internalError, "tbs not a sequence") }
        let tbs = Array(tbsNodes)
        // version, signature, issuer, thisUpdate, nextUpdate, [0] extensions; no revokedCertificates when empty.
        #expect(tbs.count == 6)
        #expect(try Int(derEncoded: tbs[0]) == 1)
        #expect(tbs[2].encodedBytes.elementsEqual(try DER.Serializer.serializedBytes(of: ca.certificate.subject)))
        #expect(tbs[3].identifier == .utcTime)
        #expect(tbs[4].identifier == .generalizedTime)
        #expect(tbs[5].identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific))
        // The signature covers the TBS bytes exactly.
        let signature = try ASN1BitString(derEncoded: parts[2])
        let ecdsa = try P256.Signing.ECDSASignature(derRepresentation: signature.bytes)
        #expect(ca.privateKey.publicKey.isValidSignature(ecdsa, for: Array(parts[0].encodedBytes)))
    }

    @Test func refusesAnInvertedInterval() throws {
        let ca = try makeCA()
        #expect(throws: ShareBusError.self) {
            try CRLBuilder.make(ca: ca, revoked: [], thisUpdate: referenceTime, nextUpdate: referenceTime, crlNumber: 1)
        }
    }
}

extension DER.Serializer {
    static func serializedBytes(of node: some DERSerializable) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(node)
        return serializer.serializedBytes
    }
}
