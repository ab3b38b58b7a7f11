public import Foundation
public import Logging
import NIOCore
import PostgresNIO
public import ShareBusCore
public import ShareBusStore
import Synchronization

/// The shared store: one PostgreSQL database that several bus nodes use at once.
///
/// Every mutating method is one transaction that also appends its audit entry, serialised with
/// every other node's by a row lock on the chain's head row (`audit_head`). A resource's log
/// sequences are allocated under a row lock on its `log_head` row, and an envelope is stored once
/// per `(sender, id)` whichever node it reached. Connection loss answers `storage-unavailable`
/// within `operationTimeout`; the pool reconnects by itself.
///
/// Open with `open(_:configuration:logger:)`, which starts the connection pool and the
/// LISTEN connection in a background task and applies the migrations; `close()` stops them.
public final class PostgresStore: ShareBusStore, HolderRecordStore {
    public let location: PostgresLocation
    let configuration: PostgresStoreConfiguration
    let client: PostgresClient
    let logger: Logger
    let background = Mutex<Task<Void, Never>?>(nil)
    /// The migrations' run: every operation waits for it; a failed run is tried again by the next.
    let migration = Mutex<Task<Void, any Error>?>(nil)
    let listener = LogHeadListener()

    init(location: PostgresLocation, configuration: PostgresStoreConfiguration, logger: Logger) {
        self.location = location
        self.configuration = configuration
        self.logger = logger
        client = PostgresClient(configuration: location.clientConfiguration(configuration), backgroundLogger: logger)
    }

    /// Connects, applies the migrations (one node at a time, under an advisory lock) and returns
    /// the running store.
    public static func open(
        _ location: PostgresLocation, configuration: PostgresStoreConfiguration = PostgresStoreConfiguration(),
        logger: Logger = Logger(label: "sharebus.store")
    ) async throws -> PostgresStore {
        let store = PostgresStore(location: location, configuration: configuration, logger: logger)
        store.start()
        do {
            try await store.migrated()
        } catch {
            await store.close()
            throw error
        }
        logger.debug("store open", metadata: ["store.url": "\(location.redacted)"])
        return store
    }

    /// Opens the store named by a `postgres://` URL.
    public static func open(url: String, logger: Logger = Logger(label: "sharebus.store")) async throws -> PostgresStore {
        try await open(try PostgresLocation(url: url), logger: logger)
    }

    /// Starts the store without waiting: the migrations run in the background and the first
    /// operation waits for them (or answers their failure). For callers that cannot await.
    public static func connect(
        _ location: PostgresLocation, configuration: PostgresStoreConfiguration = PostgresStoreConfiguration(),
        logger: Logger = Logger(label: "sharebus.store")
    ) -> PostgresStore {
        let store = PostgresStore(location: location, configuration: configuration, logger: logger)
        store.start()
        return store
    }

    func start() {
        let task = Task { [client, listener, location, configuration, logger] in
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                group.addTask {
                    await listener.run(location: location, configuration: configuration, logger: logger) { connection in
                        try await Self.currentHeads(on: connection, logger: logger)
                    }
                }
            }
        }
        background.withLock { $0 = task }
    }

    /// Stops the pool and the listener; the store answers `storage-unavailable` afterwards.
    public func close() async {
        let task = background.withLock { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        listener.stop()
        task?.cancel()
        await task?.value
    }

    /// True while the database answers and carries every migration this build knows.
    public var isReady: Bool {
        get async {
            let versions = try? await Deadline.run(configuration.probeTimeout) { [self] in try await appliedMigrations() }
            guard let versions, let latest = Self.migrations.last?.version else { return false }
            return versions.contains(latest)
        }
    }

    /// Committed log heads, from this node and every other node sharing the database: one
    /// element per accepted envelope (and the current heads again after the listener reconnected).
    public func logChanges() -> AsyncStream<(resource: String, head: Int64)> {
        listener.subscribe()
    }

    /// True once the listener's LISTEN is in place, so a NOTIFY committed from now on is seen.
    public var isListening: Bool { listener.isListening }
}

extension PostgresStore {
    /// Waits until the migrations ran, starting them if no run is under way.
    func migrated() async throws {
        let task = migration.withLock { current -> Task<Void, any Error> in
            if let current { return current }
            let task = Task { try await self.migrate() }
            current = task
            return task
        }
        do {
            try await task.value
        } catch {
            migration.withLock { if $0 == task { $0 = nil } }
            throw error
        }
    }

    /// Runs `body` in one transaction on a pooled connection, within `operationTimeout`.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await guarded { [self] in
            try await migrated()
            return try await rawTransaction(body)
        }
    }

    /// A transaction without waiting for the migrations (the migrations' own).
    func rawTransaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { [logger] connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                let value = try await body(connection)
                try await connection.query("COMMIT", logger: logger)
                return value
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// The rows of one read query.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await guarded { [self] in
            try await migrated()
            return try await client.query(query, logger: logger).collect()
        }
    }

    /// Applies the time limit and turns the database's failures into the bus's problem codes.
    func guarded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await Deadline.run(configuration.operationTimeout, body)
        } catch {
            throw StoreFailure.map(error)
        }
    }
}
