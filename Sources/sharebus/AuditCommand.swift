import ArgumentParser
import Foundation
import Logging
import ShareBusCore
import ShareBusCrypto
import ShareBusPostgres
import ShareBusStore
import X509

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Verify the audit hash chain and its signed checkpoints.",
        subcommands: [Verify.self, SignCheckpoint.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the audit chain and check every checkpoint; name the first entry changed, removed or inserted (exit 1).")
        @OptionGroup var state: StateOptions
        @Option(help: "The bus signing certificate the checkpoints must verify with (default: <certs>/bus/bus.pem).")
        var busCertificate: String?

        func run() async throws {
            let certificateFile = busCertificate ?? state.pki.busCertificate
            let certificate: Certificate
            do {
                certificate = try Certificate(pemEncoded: try state.pki.read(certificateFile))
            } catch let error as CLIError {
                throw error
            } catch {
                throw CLIError("\(certificateFile) is not a PEM certificate")
            }
            let verifier = AuditVerifier(busCertificate: certificate)
            let report: AuditReport
            if let url = state.storeURL {
                // One snapshot of the shared chain, read-only, while the nodes keep appending.
                let location: PostgresLocation
                do {
                    location = try PostgresLocation(url: url)
                } catch let error as ShareBusError {
                    throw CLIError("cannot use the store \(PostgresLocation.redacted(url)): \(error.detail)")
                }
                var logger = Logger(label: "sharebus.store")
                logger.logLevel = .error
                let store: PostgresStore
                do {
                    store = try await PostgresStore.open(location, logger: logger)
                } catch {
                    throw CLIError("cannot open \(PostgresLocation.redacted(url)): \(error)")
                }
                do {
                    report = try await store.verifyAudit(verifier)
                } catch {
                    await store.close()
                    throw CLIError("cannot read the audit log in \(PostgresLocation.redacted(url)): \(error)")
                }
                await store.close()
            } else {
                let path = (state.data as NSString).appendingPathComponent("sharebus.sqlite")
                guard FileManager.default.fileExists(atPath: path) else { throw CLIError("no store in \(state.data)") }
                do {
                    // Read-only: verifying must not change the evidence, nor need the bus stopped.
                    report = try await verifier.verify(databaseAt: path)
                } catch {
                    throw CLIError("cannot read the audit log in \(path): \(error)")
                }
            }
            if let problem = report.problem { throw CLIError(problem.description) }
            print("audit log verified: \(report.entries) entries, \(report.checkpoints) checkpoints")
        }
    }

    struct SignCheckpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checkpoint", abstract: "Sign a checkpoint of the audit chain's head now (the server also signs one every minute).")
        @OptionGroup var state: StateOptions

        func run() async throws {
            let pki = state.pki
            let signer = try BusSigner(certificatePEM: try pki.read(pki.busCertificate), privateKeyPEM: try pki.read(pki.busKey))
            let at = Timestamp.format(Date())
            let checkpoint = try await state.openStore().addCheckpoint { head in
                let payload: JSONValue = .object(["index": .integer(head.index), "hash": .string(head.hash), "at": .string(at)])
                return Checkpoint(
                    index: head.index, hash: head.hash, at: at, jws: try signer.sign(payload, type: BusSigner.checkpointType))
            }
            if let checkpoint {
                print("signed checkpoint \(checkpoint.index) \(checkpoint.hash)")
            } else {
                print("nothing to sign: the newest checkpoint already covers the head (or the log is empty)")
            }
        }
    }
}
