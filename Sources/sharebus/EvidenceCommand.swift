import ArgumentParser
import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusVerification
import X509

/// `sharebus evidence verify`: checks, offline, evidence the bus signed for a verification answer.
struct EvidenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evidence", abstract: "Check evidence the bus signed for a verification answer.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify evidence with the bus certificate and its chain to the platform CA; print its payload, or name what fails (exit 1).",
            discussion: """
                FILE holds the evidence as the bus answered it: the JWS string (compact form), a flattened JSON JWS, or \
                the whole JSON answer with its "evidence" member. The bus certificate is --bus, else fetched from --url \
                over mutual TLS (with --cert and --key), else bus/bus.pem beside --ca. Its chain to --ca is checked at \
                the time the evidence says it was signed. No connection is made unless --url is given.
                """)

        @Argument(help: "The file holding the evidence.") var file: String
        @Option(help: "The platform CA certificate (PEM).") var ca: String = "Certs/ca.pem"
        @Option(help: "The bus signing certificate (PEM); default: bus/bus.pem in the folder of --ca, or fetched with --url.")
        var bus: String?
        @Option(help: "Fetch the bus signing certificate from this bus (GET /v1/pki/bus.pem); needs --cert and --key.")
        var url: String?
        @Option(help: "Client certificate (PEM) for --url.") var cert: String?
        @Option(help: "Its private key (PEM).") var key: String?

        func validate() throws {
            if url != nil, cert == nil || key == nil { throw ValidationError("--url needs --cert and --key: the bus answers only over mutual TLS") }
            if bus != nil, url != nil { throw ValidationError("give --bus or --url, not both") }
        }

        func run() async throws {
            let text = try readText(file)
            let caCertificate = try Self.certificate(ca)
            let busCertificate: Certificate
            if let bus {
                busCertificate = try Self.certificate(bus)
            } else if let url, let cert, let key {
                let options = try ClientOptions.parse(["--cert", cert, "--key", key, "--url", url, "--cacert", ca])
                busCertificate = try await BusClient.with(options) { try await $0.busCertificate() }
            } else {
                busCertificate = try Self.certificate(((ca as NSString).deletingLastPathComponent as NSString).appendingPathComponent("bus/bus.pem"))
            }
            let verified: EvidenceVerifier.Verified
            do {
                verified = try await EvidenceVerifier(caCertificate: caCertificate, busCertificate: busCertificate).verify(text)
            } catch let error as EvidenceError {
                throw CLIError("\(file): evidence does not verify: \(error.description)")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            writeLine(String(decoding: try encoder.encode(verified.payload), as: UTF8.self))
        }

        static func certificate(_ file: String) throws -> Certificate {
            let pem = try readText(file)
            do {
                return try Certificate(pemEncoded: pem)
            } catch {
                throw CLIError("\(file) is not a PEM certificate")
            }
        }
    }
}
