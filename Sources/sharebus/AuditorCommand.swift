import ArgumentParser
import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore

/// `sharebus auditor add <id>`: issues an auditor's client certificate into `auditors/<id>/`.
///
/// An auditor reads the audit log and its checkpoints (`GET /v1/audit`, `GET /v1/audit/checkpoints`)
/// and nothing else: no queue actions, no departments, no records.
struct AuditorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auditor", abstract: "Manage auditors (read-only access to the audit log).", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue an auditor's client certificate.")
        @OptionGroup var state: StateOptions
        @Argument(help: "Auditor id.") var id: String

        func run() async throws {
            let provisioning = Provisioning(pki: state.pki, store: try state.openStore())
            try await provisioning.addAuditor(id, ca: try state.pki.loadCA())
            print("Issued \(state.pki.auditorDirectory(id))/cert.pem and key.pem")
        }
    }
}

extension PKIDirectory {
    /// `auditors/<id>/cert.pem, key.pem`: an auditor's client credential.
    func auditorDirectory(_ id: String) -> String { path("auditors/\(id)") }
}

extension Provisioning {
    func addAuditor(_ id: String, ca: PlatformCA) async throws {
        guard DepartmentID.isValid(id) else { throw CLIError("auditor id \(id) must match [a-z0-9][a-z0-9.-]{1,63}") }
        let credential = try ca.issueP256(profile: .auditor(id: id), now: clock.now(), validityDays: Self.leafValidityDays)
        let directory = pki.auditorDirectory(id)
        try pki.write(credential, certificate: directory + "/cert.pem", key: directory + "/key.pem")
        let principal = Principal.auditor(id).uri
        let record = CertificateRecord(credential.certificate, kind: .client, principal: principal)
        try await store.recordCertificate(
            record,
            audit: AuditEvent(
                at: clock.now(), actor: cliActor, action: "certificate.issue", target: record.serial,
                details: ["principal": .string(principal), "kind": .string(CertificateRecord.Kind.client.rawValue), "fingerprint": .string(record.fingerprint)]))
    }
}
