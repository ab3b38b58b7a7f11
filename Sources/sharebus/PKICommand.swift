import ArgumentParser
import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore

struct PKICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pki", abstract: "Manage the platform CA and the certificates it issues.",
        subcommands: [Init.self, IssueServer.self, Revoke.self])

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the platform CA, the bus's TLS server certificate and its signing certificate.")
        @OptionGroup var state: StateOptions
        @Option(name: .customLong("dns"), help: "DNS name for the server certificate (repeatable).")
        var dnsNames: [String] = ["localhost"]
        @Option(name: .customLong("ip"), help: "IP address for the server certificate (repeatable).")
        var ipAddresses: [String] = ["127.0.0.1", "::1"]

        func run() async throws {
            let provisioning = Provisioning(pki: state.pki, store: try state.openStore())
            _ = try await provisioning.initialisePKI(dnsNames: dnsNames, ipAddresses: ipAddresses)
            print("Created the platform CA in \(state.pki.caCertificate) and the bus certificates in \(state.pki.path("bus"))")
        }
    }

    struct IssueServer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "issue-server", abstract: "Issue a new TLS server certificate for the bus.")
        @OptionGroup var state: StateOptions
        @Option(name: .customLong("dns"), help: "DNS name (repeatable).") var dnsNames: [String] = ["localhost"]
        @Option(name: .customLong("ip"), help: "IP address (repeatable).") var ipAddresses: [String] = ["127.0.0.1", "::1"]

        func run() async throws {
            let provisioning = Provisioning(pki: state.pki, store: try state.openStore())
            try await provisioning.issueServer(ca: try state.pki.loadCA(), dnsNames: dnsNames, ipAddresses: ipAddresses)
            print("Issued \(state.pki.serverCertificate); restart `sharebus serve` to use it.")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a certificate by serial (see `sharebus dept show`). Takes effect at once, without a restart.")
        @OptionGroup var state: StateOptions
        @Argument(help: "Serial number in hex.") var serial: String
        @Option(help: "Why (recorded in the audit log).") var reason: String = "unspecified"

        func run() async throws {
            let store = try state.openStore()
            let record = try await store.revokeCertificate(
                serial: serial, reason: reason,
                audit: AuditEvent(
                    at: Date(), actor: cliActor, action: "certificate.revoke", target: serial.lowercased(),
                    details: ["reason": .string(reason)]))
            print("Revoked \(record.serial) of \(record.principal).")
        }
    }
}

struct OperatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator", abstract: "Manage operators.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue an operator's client certificate.")
        @OptionGroup var state: StateOptions
        @Argument(help: "Operator id.") var id: String

        func run() async throws {
            let provisioning = Provisioning(pki: state.pki, store: try state.openStore())
            try await provisioning.addOperator(id, ca: try state.pki.loadCA())
            print("Issued \(state.pki.operatorDirectory(id))/cert.pem and key.pem")
        }
    }
}
