public import ArgumentParser
import Foundation
import Logging
public import ShareBusCore
import ShareBusPostgres
import ShareBusStore

/// Where the bus keeps its state; shared by every subcommand.
struct StateOptions: ParsableArguments {
    @Option(name: .long, help: "Folder of the SQLite store (env SHAREBUS_DATA).")
    var data: String = ProcessInfo.processInfo.environment["SHAREBUS_DATA"] ?? "data"

    @Option(
        name: .long,
        help: "A shared PostgreSQL store instead of SQLite: postgres://user[:password]@host[:port]/database[?sslmode=require] (env SHAREBUS_STORE; the flag wins).")
    var store: String?

    @Option(name: .long, help: "Folder of the platform PKI (env SHAREBUS_CERTS).")
    var certs: String = ProcessInfo.processInfo.environment["SHAREBUS_CERTS"] ?? "Certs"

    var pki: PKIDirectory { PKIDirectory(root: certs) }

    /// The PostgreSQL URL from `--store` or `SHAREBUS_STORE`; nil for the SQLite store in `--data`.
    var storeURL: String? {
        let url = store ?? ProcessInfo.processInfo.environment["SHAREBUS_STORE"]
        guard let url, !url.isEmpty else { return nil }
        return url
    }

    /// The store named by `--store`/`SHAREBUS_STORE`, else the SQLite store in `--data`. A
    /// PostgreSQL store connects in the background and its first operation waits for the migrations.
    /// - Parameter cachesReads: keep resource definitions and subscriptions in memory (`serve`).
    func openStore(cachesReads: Bool = false) throws -> any ShareBusStore {
        let location: BusStoreLocation
        do {
            location = try BusStoreLocation(url: storeURL, directory: data)
        } catch let error as ShareBusError {
            throw CLIError("cannot use the store \(PostgresLocation.redacted(storeURL ?? "")): \(error.detail)")
        }
        do {
            return try location.open(cachesReads: cachesReads)
        } catch {
            throw CLIError("cannot open the store in \(data): \(error)")
        }
    }

    /// For commands that read the SQLite file itself (audit verify, backup, restore): says so
    /// clearly when the bus is configured with a PostgreSQL store.
    func requireSQLite(_ command: String) throws {
        if let url = storeURL {
            throw CLIError(
                "`sharebus \(command)` works on the SQLite store only; the store is \(PostgresLocation.redacted(url)). "
                    + "For PostgreSQL use pg_basebackup and point-in-time recovery (docs/scaling.md)")
        }
    }
}

/// The actor written into audit entries for actions taken from the command line.
let cliActor = "system:cli"

extension Department.Role: ExpressibleByArgument {}
extension Department.Level: ExpressibleByArgument {}
