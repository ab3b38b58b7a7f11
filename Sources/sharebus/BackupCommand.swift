import ArgumentParser
import Foundation
import ShareBusStore
import X509

/// `sharebus backup`: a consistent snapshot of the running bus's SQLite store, taken online.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy a consistent snapshot of the SQLite store to a file while the bus keeps serving.",
        discussion: """
            The snapshot is one SQLite file, checked and flushed before it gets its name. The key material in \
            the certs folder (CA, bus signing key, data keys) is not in it: keep a copy of that folder beside \
            the backup, or the restored store cannot be read or its checkpoints verified.
            """)

    @OptionGroup var state: StateOptions
    @Option(help: "The backup file to write; it must not exist.")
    var to: String

    func run() async throws {
        try state.requireSQLite("backup")
        let summary: SQLiteBackup.Summary
        do {
            summary = try SQLiteBackup.backup(dataDirectory: state.data, to: to)
        } catch {
            throw CLIError("backup failed: \(error)")
        }
        print("backup written to \(to): \(summary.bytes) bytes, \(summary.envelopes) envelopes, \(summary.logEntries) log entries, "
            + "\(summary.auditEntries) audit entries (head \(summary.auditHeadHash ?? "none"))")
    }
}

/// `sharebus restore`: puts a backup in place as the store of a new data folder and verifies its audit log.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup made by `sharebus backup` into a data folder that holds no store yet, and verify its audit log.")

    @OptionGroup var state: StateOptions
    @Option(help: "The backup file.")
    var from: String

    func run() async throws {
        try state.requireSQLite("restore")
        let summary: SQLiteBackup.Summary
        do {
            summary = try SQLiteBackup.restore(from: from, dataDirectory: state.data)
        } catch {
            throw CLIError("restore failed: \(error)")
        }
        print("restored \(from) into \(state.data): \(summary.envelopes) envelopes, \(summary.logEntries) log entries, "
            + "\(summary.auditEntries) audit entries")
        let pki = state.pki
        guard FileManager.default.fileExists(atPath: pki.busCertificate) else {
            print("no bus certificate in \(state.certs): run `sharebus audit verify` with the certs folder kept beside the backup")
            return
        }
        let certificate = try Certificate(pemEncoded: try pki.read(pki.busCertificate))
        let report = try await AuditVerifier(busCertificate: certificate)
            .verify(databaseAt: SQLiteBackup.storeFile(in: state.data))
        if let problem = report.problem { throw CLIError("the restored audit log does not verify: \(problem.description)") }
        print("audit log verified: \(report.entries) entries, \(report.checkpoints) checkpoints")
    }
}
