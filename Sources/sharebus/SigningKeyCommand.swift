import ArgumentParser
import Crypto
import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore
import SwiftASN1
import X509

/// `sharebus dept add-signing-key`: an Ed25519 key a department signs envelopes with, beside its TLS key.
struct AddSigningKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-signing-key",
        abstract: "Issue a department an Ed25519 envelope signing certificate and key (signing-cert.pem, signing-key.pem).")
    @OptionGroup var state: StateOptions
    @Argument(help: "Department id.") var id: String
    @Option(help: "Folder to write signing-cert.pem and signing-key.pem into (default: the department's folder of the PKI).")
    var out: String?

    func run() async throws {
        let store = try state.openStore()
        guard let department = try await store.department(id: id) else { throw CLIError("no department \(id)") }
        let ca = try state.pki.loadCA()
        let directory = out ?? state.pki.departmentDirectory(id)
        let certificateFile = (directory as NSString).appendingPathComponent("signing-cert.pem")
        let keyFile = (directory as NSString).appendingPathComponent("signing-key.pem")
        // A key that may still be in use is never overwritten: its certificate stays valid until revoked.
        for file in [certificateFile, keyFile] where FileManager.default.fileExists(atPath: file) {
            throw CLIError("\(file) already exists; pass --out to write the new key to another folder")
        }
        let key = Curve25519.Signing.PrivateKey()
        let now = Date()
        let certificate = try ca.issue(
            .signing(departmentID: department.id, name: department.name), publicKey: Certificate.PublicKey(key.publicKey), now: now,
            validityDays: Provisioning.leafValidityDays)
        let credential = IssuedCredential(certificate: certificate, privateKeyPEM: try SigningKeyPEM.encode(key))
        try state.pki.write(credential, certificate: certificateFile, key: keyFile)
        let principal = Principal.department(department.id).uri
        let record = CertificateRecord(credential.certificate, kind: .signing, principal: principal)
        do {
            try await store.recordCertificate(
                record,
                audit: AuditEvent(
                    at: now, actor: cliActor, action: "certificate.issue", target: record.serial,
                    details: [
                        "principal": .string(principal), "kind": .string(CertificateRecord.Kind.signing.rawValue),
                        "fingerprint": .string(record.fingerprint),
                    ]))
        } catch {
            // Unrecorded, the certificate is of no use: leave no files that would block the next try.
            try? FileManager.default.removeItem(atPath: certificateFile)
            try? FileManager.default.removeItem(atPath: keyFile)
            throw error
        }
        print("Issued \(department.id) an Ed25519 signing certificate (serial \(record.serial)): \(certificateFile) and \(keyFile)")
    }
}

/// Envelope signing keys in PEM: PKCS#8 `PRIVATE KEY`, Ed25519 (RFC 8410) or P-256.
enum SigningKeyPEM {
    /// PKCS#8 DER of an Ed25519 key is this prefix and the 32-byte seed (RFC 8410 section 7).
    static let ed25519Prefix: [UInt8] = [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]

    static func encode(_ key: Curve25519.Signing.PrivateKey) throws -> String {
        try Certificate.PrivateKey(key).serializeAsPEM().pemString
    }

    /// A signer for the key in `pem`, checked to belong to `certificate`.
    static func signer(pem: String, certificate: Certificate, file: String) throws -> JWSSigner {
        let signer: JWSSigner
        if let document = try? PEMDocument(pemString: pem), document.discriminator == "PRIVATE KEY",
            document.derBytes.count == ed25519Prefix.count + 32, document.derBytes.starts(with: ed25519Prefix)
        {
            signer = .ed25519(try Curve25519.Signing.PrivateKey(rawRepresentation: document.derBytes.suffix(32)))
        } else if let key = try? P256.Signing.PrivateKey(pemRepresentation: pem) {
            signer = .p256(key)
        } else {
            throw CLIError("\(file) holds neither an Ed25519 nor a P-256 private key in PEM")
        }
        guard signer.publicKey == certificate.publicKey else {
            throw CLIError("the key in \(file) does not belong to its certificate")
        }
        return signer
    }
}
