public import Foundation
import GRDB
public import Logging
public import ShareBusCore

/// The embedded store: one SQLite file in WAL mode, `synchronous = FULL` so that a commit has
/// reached the disk before the call returns.
public final class SQLiteStore: ShareBusStore {
    let pool: DatabasePool
    public let path: String

    /// Opens (creating if needed) `sharebus.sqlite` in `directory` and runs the migrations.
    public init(directory: String, logger: Logger = Logger(label: "sharebus.store")) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = (directory as NSString).appendingPathComponent("sharebus.sqlite")
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        pool = try DatabasePool(path: path, configuration: config)
        try Self.migrator.migrate(pool)
        logger.debug("store open", metadata: ["store.path": "\(path)"])
    }

    public var isReady: Bool {
        get async {
            (try? await pool.read { db in try Self.migrator.hasCompletedMigrations(db) }) ?? false
        }
    }
}

extension SQLiteStore {
    /// Runs `body` in a write transaction and appends `audit` to the chain inside it.
    func writeAudited<T: Sendable>(
        _ audit: AuditEvent, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        try await mapErrors {
            try await pool.write { db in
                let value = try body(db)
                try AuditChain.append(audit, in: db)
                return value
            }
        }
    }

    /// Turns SQLite's own failures into the bus's problem codes; domain errors pass through.
    func mapErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ShareBusError {
            throw error
        } catch let error as DatabaseError {
            switch error.resultCode {
            case .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_CANTOPEN, .SQLITE_READONLY:
                throw ShareBusError(.storageUnavailable, "the store cannot write: \(error.resultCode)")
            default:
                throw error
            }
        }
    }
}
