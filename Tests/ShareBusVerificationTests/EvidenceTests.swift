import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import Testing
import X509

@testable import ShareBusVerification

@Suite("Evidence: signed by the bus, verifiable offline, and any change makes it fail")
struct EvidenceTests {
    static let request: JSONValue = .object([
        "resource": "base.population", "key": "11010519491231002X", "claims": .object(["name": "张三"]), "purpose": "办理个体工商户登记",
    ])
    static let result: JSONValue = .object(["result": "match", "fields": .object(["name": .bool(true)])])

    struct Fixture {
        let pki: TestPKI
        let evidence: String
        let at: Date
        var verifier: EvidenceVerifier {
            EvidenceVerifier(caCertificate: pki.ca.certificate, busCertificate: pki.busSigning.certificate)
        }
    }

    static func fixture() throws -> Fixture {
        let pki = try TestPKI()
        let signer = try BusSigner(certificatePEM: pki.busSigning.certificatePEM, privateKeyPEM: pki.busSigning.privateKeyPEM)
        let at = Date()
        let evidence = try EvidenceIssuer(signer: signer).issue(request: request, result: result, caller: .department("yc.tax"), at: at)
        return Fixture(pki: pki, evidence: evidence, at: at)
    }

    @Test("the payload is exactly requestSha256, result, caller and at")
    func payload() async throws {
        let f = try Self.fixture()
        #expect(f.evidence.split(separator: ".").count == 3, "compact serialization")
        let verified = try await f.verifier.verify(f.evidence)
        #expect(verified.requestSha256 == (try CanonicalJSON.sha256Hex(Self.request)))
        #expect(verified.result == Self.result)
        #expect(verified.caller == "urn:sharebus:dept:yc.tax")
        #expect(abs(verified.at.timeIntervalSince(f.at)) < 1)
        let header = try EvidenceText.parse(f.evidence).header
        #expect(header.type == "sharebus-evidence+jws")
        #expect(header.algorithm == .es256)
    }

    @Test("the evidence is accepted as the compact JWS, as flattened JSON and inside the whole answer")
    func forms() async throws {
        let f = try Self.fixture()
        let parts = f.evidence.split(separator: ".").map(String.init)
        let flattened = try CanonicalJSON.string(
            .object(["protected": .string(parts[0]), "payload": .string(parts[1]), "signature": .string(parts[2])]))
        let answer = try CanonicalJSON.string(.object(["result": "match", "fields": .object([:]), "evidence": .string(f.evidence)]))
        for text in [f.evidence, "\n" + f.evidence + "\n", flattened, answer] {
            _ = try await f.verifier.verify(text)
        }
    }

    /// Positions spread over the protected header, the payload and the signature.
    static func positions(in evidence: String) -> [Int] {
        let parts = evidence.split(separator: ".").map(\.count)
        let payloadStart = parts[0] + 1
        let signatureStart = payloadStart + parts[1] + 1
        return [
            0, parts[0] / 2, parts[0] - 1, parts[0], payloadStart, payloadStart + parts[1] / 3, payloadStart + parts[1] / 2,
            signatureStart - 2, signatureStart - 1, signatureStart, signatureStart + parts[2] / 2, evidence.utf8.count - 1,
        ]
    }

    @Test("changing any one byte, in the header, the payload, the signature or a separator, fails the check")
    func tampering() async throws {
        let f = try Self.fixture()
        let bytes = Array(f.evidence.utf8)
        for position in Self.positions(in: f.evidence) {
            for flip: UInt8 in [0x01, 0x20] {
                var changed = bytes
                changed[position] ^= flip
                let text = String(decoding: changed, as: UTF8.self)
                await #expect(throws: EvidenceError.self, "byte \(position) ^ \(flip)") { _ = try await f.verifier.verify(text) }
            }
        }
    }

    @Test("a payload re-signed by another key, or a certificate of another CA, fails the check")
    func otherSigners() async throws {
        let f = try Self.fixture()
        let other = try TestPKI()
        // Evidence of another bus does not verify with this bus's certificate.
        let otherSigner = try BusSigner(certificatePEM: other.busSigning.certificatePEM, privateKeyPEM: other.busSigning.privateKeyPEM)
        let forged = try EvidenceIssuer(signer: otherSigner).issue(
            request: Self.request, result: Self.result, caller: .department("yc.tax"), at: f.at)
        await #expect(throws: EvidenceError.self) { _ = try await f.verifier.verify(forged) }
        // This bus's evidence with its certificate, but checked against another CA.
        let wrongCA = EvidenceVerifier(caCertificate: other.ca.certificate, busCertificate: f.pki.busSigning.certificate)
        do {
            _ = try await wrongCA.verify(f.evidence)
            Issue.record("verified against the wrong CA")
        } catch let error as EvidenceError {
            #expect(error.description.contains("does not chain"), "\(error)")
        }
        // A department certificate of the right CA is not the bus's signing certificate.
        let department = try f.pki.department("yc.tax")
        let notBus = EvidenceVerifier(caCertificate: f.pki.ca.certificate, busCertificate: department.certificate)
        await #expect(throws: EvidenceError.self) { _ = try await notBus.verify(f.evidence) }
    }

    @Test("another bus JWS (a receipt) is not evidence")
    func otherType() async throws {
        let f = try Self.fixture()
        let signer = try BusSigner(certificatePEM: f.pki.busSigning.certificatePEM, privateKeyPEM: f.pki.busSigning.privateKeyPEM)
        let receipt = try signer.sign(.object(["envelopeId": "x"]), type: BusSigner.receiptType)
        await #expect(throws: EvidenceError.self) { _ = try await f.verifier.verify(receipt) }
    }
}
