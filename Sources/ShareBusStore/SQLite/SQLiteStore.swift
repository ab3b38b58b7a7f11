public import Foundation
import GRDB
public import Logging
public import ShareBusCore
import Synchronization

/// The embedded store: one SQLite file in WAL mode, `synchronous = FULL` so that a commit has
/// reached the disk before the call returns.
///
/// Envelopes and audited writes go through a group commit writer (`GroupCommitWriter`): the
/// requests waiting when a commit starts share one transaction and one flush. After an I/O error
/// from a write the store stops writing until it is reopened (`StorageHealth`).
public final class SQLiteStore: ShareBusStore, CachedStore {
    let pool: DatabasePool
    public let path: String
    let writer: GroupCommitWriter
    let logger: Logger
    let health = Mutex(StorageHealth())
    /// Caches of what requests re-read, invalidated after every commit of this process that changed
    /// certificates, departments, resources or subscriptions (`ChangeGenerationObserver`), and
    /// after any commit of another process (`ForeignCommitWatch`).
    let storeCaches = StoreCaches()
    /// Whether readers may use `storeCaches` (`serve` turns it on; one-off commands need no cache).
    let cachesReads: Bool
    /// Watches for commits of other processes while the caches are in use.
    let foreignCommits: ForeignCommitWatch?
    public var caches: StoreCaches? { cachesReads ? storeCaches : nil }

    /// Opens (creating if needed) `sharebus.sqlite` in `directory` and runs the migrations.
    /// - Parameters:
    ///   - cachesReads: serve definitions and subscriptions from memory (`StoreCaches`).
    ///   - watchesOtherProcesses: with `cachesReads`, also invalidate the caches when another process
    ///     commits to the file (`sharebus catalog import` beside `serve`), within 200 ms. Off only in
    ///     tests that count cache loads exactly.
    public init(
        directory: String, logger: Logger = Logger(label: "sharebus.store"), cachesReads: Bool = false,
        watchesOtherProcesses: Bool = true
    ) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = (directory as NSString).appendingPathComponent("sharebus.sqlite")
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        pool = try DatabasePool(path: path, configuration: config)
        // GRDB turns WAL mode on after `prepareDatabase` ran and sets `synchronous = NORMAL` with it,
        // which skips the flush at commit: a 201 would survive a crash of the process but not a power
        // loss. The writer is the one connection that commits; FULL makes every commit flush the WAL.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        try Self.migrator.migrate(pool)
        writer = GroupCommitWriter(pool: pool)
        self.logger = logger
        self.cachesReads = cachesReads
        foreignCommits = cachesReads && watchesOtherProcesses ? try ForeignCommitWatch(path: path, generations: storeCaches.generations) : nil
        let observer = ChangeGenerationObserver(generations: storeCaches.generations)
        pool.writeWithoutTransaction { db in db.add(transactionObserver: observer, extent: .databaseLifetime) }
        logger.debug("store open", metadata: ["store.path": "\(path)"])
    }

    deinit {
        foreignCommits?.stop()
    }

    /// False once an I/O error stopped the store from writing (the bus must be restarted).
    public var isReady: Bool {
        get async {
            guard health.withLock({ $0.acceptsWrites }) else { return false }
            return (try? await pool.read { db in try Self.migrator.hasCompletedMigrations(db) }) ?? false
        }
    }
}

extension SQLiteStore {
    /// Runs `body` in the next group commit and appends `audit` to the chain inside its savepoint.
    func writeAudited<T: Sendable>(
        _ audit: AuditEvent, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        try await mapErrors {
            try await writer.write { db in
                let value = try body(db)
                try AuditChain.append(audit, in: db)
                return value
            }
        }
    }

    /// The one funnel of every write: refuses at once while the store is latched after an I/O
    /// error, latches on a new one, and turns SQLite's own failures into the bus's problem codes;
    /// domain errors pass through.
    func mapErrors<T>(_ body: () async throws -> T) async throws -> T {
        if let reason = health.withLock({ $0.latchedReason }) {
            throw ShareBusError(.storageUnavailable, "the store stopped writing after an I/O error (\(reason)); restart the bus")
        }
        do {
            return try await body()
        } catch let error as ShareBusError {
            throw error
        } catch let error as DatabaseError {
            let failure = Self.failure(error)
            switch health.withLock({ $0.record(failure) }) {
            case .latchAndRefuse(let reason):
                logger.critical(
                    "the store stopped writing after an I/O error; restart the bus so that SQLite recovers the WAL on reopening",
                    metadata: ["store.path": "\(path)", "store.error": "\(reason)"])
                throw ShareBusError(.storageUnavailable, "the store stopped writing after an I/O error (\(reason)); restart the bus")
            case .refuseThisWrite:
                throw ShareBusError(.storageUnavailable, "the store cannot write: \(error.resultCode)")
            case .none:
                switch error.resultCode {
                case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_CANTOPEN, .SQLITE_READONLY:
                    throw ShareBusError(.storageUnavailable, "the store cannot write: \(error.resultCode)")
                default:
                    throw error
                }
            }
        }
    }

    static func failure(_ error: DatabaseError) -> StorageHealth.Failure {
        switch error.resultCode {
        case .SQLITE_IOERR: .ioError("\(error.extendedResultCode)")
        case .SQLITE_FULL: .diskFull
        default: .other
        }
    }
}
