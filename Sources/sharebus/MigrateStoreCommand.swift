import ArgumentParser
import Foundation
import Logging
import ShareBusCore
import ShareBusPostgres
import ShareBusStore

/// `sharebus migrate-store`: moves a platform's SQLite store into an empty PostgreSQL database.
struct MigrateStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-store",
        abstract: "Copy the SQLite store of a data folder into an empty PostgreSQL database, in one transaction.",
        discussion: """
            Stop the bus first. Every table is read from one consistent snapshot of the SQLite store and written in \
            one PostgreSQL transaction, which commits only if the database held no rows and the row counts and the \
            audit chain's head read back agree with the snapshot. The SQLite store is left as it was. The certs folder \
            (CA, bus signing key, data keys) is not in either store: the nodes that use the new store need it too.
            """)

    @Option(help: "The data folder holding the SQLite store (sharebus.sqlite).")
    var from: String
    @Option(help: "The target: postgres://user[:password]@host[:port]/database[?sslmode=require]; migrated, but without rows.")
    var to: String

    func run() async throws {
        let target = PostgresLocation.redacted(to)
        let export: SQLiteExport
        do {
            export = try SQLiteExport(dataDirectory: from)
        } catch let error as ShareBusError {
            throw CLIError("cannot read the store in \(from): \(error.detail)")
        }
        defer { try? export.close() }
        let location: PostgresLocation
        do {
            location = try PostgresLocation(url: to)
        } catch let error as ShareBusError {
            throw CLIError("cannot use the store \(target): \(error.detail)")
        }
        let store: PostgresStore
        do {
            // The pool's own warnings (a lease before its run loop started) are noise here; failures are reported below.
            var logger = Logger(label: "sharebus.store")
            logger.logLevel = .error
            store = try await PostgresStore.open(location, logger: logger)
        } catch {
            throw CLIError("cannot open \(target): \(Self.detail(error))")
        }
        let started = ContinuousClock.now
        let summary: PostgresStore.ImportSummary
        do {
            summary = try await store.importSnapshot(export) { table, rows in print("\(table)\t\(rows)") }
        } catch {
            await store.close()
            throw CLIError("migrate-store refused, nothing was written to \(target): \(Self.detail(error))")
        }
        await store.close()
        let rows = summary.tables.reduce(Int64(0)) { $0 + $1.rows }
        let seconds = (ContinuousClock.now - started).formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1)))
        print("migrated \(rows) rows of \(summary.tables.count) tables from \(from) to \(target) in \(seconds)")
        if let head = summary.auditHead {
            print("audit head \(head.index) \(head.hash)")
        } else {
            print("audit head none")
        }
    }

    static func detail(_ error: any Error) -> String {
        (error as? ShareBusError)?.detail ?? "\(error)"
    }
}
