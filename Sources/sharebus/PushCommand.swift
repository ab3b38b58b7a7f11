import ArgumentParser
import Crypto
import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusDelivery
import X509

/// `sharebus push`: what a provider's system does, from a shell.
struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Sign a file of operations as an envelope, push it over mutual TLS and print the bus's verified receipt.",
        discussion: """
            FILE holds {"resource": "...", "operations": [...]}, or a bare array of operations with --resource.
            The envelope is signed ES256 with the TLS key, or with --signing-cert/--signing-key (e.g. an Ed25519
            key from `sharebus dept add-signing-key`). A problem answer prints `sharebus: <code>: <detail>` and exits 1.
            """)

    @Argument(help: "JSON file of operations.") var file: String
    @OptionGroup var client: ClientOptions
    @Option(help: "Signing certificate (PEM) registered for the department, instead of the TLS certificate.") var signingCert: String?
    @Option(help: "Its private key (PKCS#8 PEM, Ed25519 or P-256).") var signingKey: String?
    @Option(help: "Resource code (required with a bare array; must agree with the file otherwise).") var resource: String?
    @Option(help: "Sending department (default: the common name of --cert).") var sender: String?

    func validate() throws {
        guard (signingCert == nil) == (signingKey == nil) else {
            throw ValidationError("--signing-cert and --signing-key go together")
        }
    }

    func run() async throws {
        let (resource, operations) = try EnvelopeFile.read(file, resource: resource)
        let tlsCertificate = try Self.certificate(client.cert)
        guard let sender = sender ?? tlsCertificate.subjectCommonName else {
            throw CLIError("\(client.cert) has no common name; pass --sender")
        }
        let signer: JWSSigner
        let signingCertificate: Certificate
        if let signingCert, let signingKey {
            signingCertificate = try Self.certificate(signingCert)
            signer = try SigningKeyPEM.signer(pem: try readText(signingKey), certificate: signingCertificate, file: signingKey)
        } else {
            signingCertificate = tlsCertificate
            signer = try SigningKeyPEM.signer(pem: try readText(client.key), certificate: tlsCertificate, file: client.key)
        }
        let id = UUID().uuidString.lowercased()
        let message: JSONValue = .object([
            "id": .string(id), "sender": .string(sender), "resource": .string(resource),
            "createdAt": .string(Formats.formatDateTime(Date())), "operations": .array(operations),
        ])
        let payload = try CanonicalJSON.serialize(message)
        let jws = try signer.sign(payload: payload, typ: EnvelopeIngest.envelopeType, certificateDER: signingCertificate.derBytes)
        let digest = Hex.encode(SHA256.hash(data: payload))

        try await reportingProblems {
            let receipt = try await BusClient.with(client) { bus in
                let reply = try bus.expect(
                    try await bus.send(.POST, "/v1/envelopes", body: jws.encoded(), contentType: "application/jose+json"), [200, 201],
                    doing: "pushing the envelope")
                return try BusClient.verifiedPayload(reply.body, type: BusSigner.receiptType, certificate: try await bus.busCertificate()).json
            }
            // A receipt for something else would be no receipt at all.
            guard receipt["envelopeId"]?.stringValue == id, receipt["payloadSha256"]?.stringValue == digest else {
                throw CLIError("the receipt is for another envelope or payload than the one pushed")
            }
            writeLine(try CanonicalJSON.string(receipt))
        }
    }

    static func certificate(_ file: String) throws -> Certificate {
        do {
            return try Certificate(pemEncoded: try readText(file))
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(file) is not a PEM certificate")
        }
    }
}

/// The file `push` reads: `{"resource", "operations"}` or a bare array of operations.
enum EnvelopeFile {
    static func read(_ file: String, resource flag: String?) throws -> (resource: String, operations: [JSONValue]) {
        let json: JSONValue
        do {
            json = try StrictJSON.parse(Array(try readText(file).utf8))
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(file) is not valid JSON: \(error)")
        }
        switch json {
        case .array(let operations):
            guard let flag else { throw CLIError("\(file) is a bare array of operations; pass --resource") }
            return (flag, operations)
        case .object(let members):
            let unknown = Set(members.keys).subtracting(["resource", "operations"]).sorted()
            guard unknown.isEmpty else { throw CLIError("\(file) has unknown member(s) \(unknown.joined(separator: ", "))") }
            guard let operations = members["operations"]?.arrayValue else { throw CLIError("\(file) has no \"operations\" array") }
            let named = members["resource"]?.stringValue
            if let named, let flag, named != flag { throw CLIError("\(file) is for \(named), not \(flag)") }
            guard let resource = flag ?? named else { throw CLIError("\(file) names no resource; add \"resource\" or pass --resource") }
            return (resource, operations)
        default:
            throw CLIError("\(file) must hold an object {\"resource\", \"operations\"} or an array of operations")
        }
    }
}
