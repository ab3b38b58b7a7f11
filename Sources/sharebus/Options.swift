public import ArgumentParser
import Foundation
import Logging
public import ShareBusCore
import ShareBusStore

/// Where the bus keeps its state; shared by every subcommand.
struct StateOptions: ParsableArguments {
    @Option(name: .long, help: "Folder of the SQLite store (env SHAREBUS_DATA).")
    var data: String = ProcessInfo.processInfo.environment["SHAREBUS_DATA"] ?? "data"

    @Option(name: .long, help: "Folder of the platform PKI (env SHAREBUS_CERTS).")
    var certs: String = ProcessInfo.processInfo.environment["SHAREBUS_CERTS"] ?? "Certs"

    var pki: PKIDirectory { PKIDirectory(root: certs) }

    func openStore() throws -> SQLiteStore {
        do {
            return try SQLiteStore(directory: data)
        } catch {
            throw CLIError("cannot open the store in \(data): \(error)")
        }
    }
}

/// The actor written into audit entries for actions taken from the command line.
let cliActor = "system:cli"

extension Department.Role: ExpressibleByArgument {}
extension Department.Level: ExpressibleByArgument {}
