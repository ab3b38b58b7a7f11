public import Logging
public import ShareBusCore
public import ShareBusStore

/// Where a bus node keeps its state, as `sharebus serve` is told: the SQLite store in a folder, or
/// a PostgreSQL database that several nodes share (`--store postgres://...`).
///
/// `serve` and the in-process test bus both open their store here, so a test bus on PostgreSQL
/// runs with what a served node runs with: the store connecting in the background, no read caches
/// of its own, and the LISTEN/NOTIFY log heads of every node waking long-polls and push delivery.
public enum BusStoreLocation: Sendable {
    case sqlite(directory: String)
    case postgres(PostgresLocation)

    /// The PostgreSQL database of `url` when one is given, else the SQLite store in `directory`.
    /// - Throws: `invalid-parameter` when `url` is not a usable `postgres://` URL.
    public init(url: String?, directory: String) throws {
        if let url {
            self = .postgres(try PostgresLocation(url: url))
        } else {
            self = .sqlite(directory: directory)
        }
    }

    /// Opens the store. A PostgreSQL store connects in the background; its first operation waits
    /// for the migrations (or answers their failure).
    /// - Parameters:
    ///   - cachesReads: keep resource definitions and subscriptions in memory (SQLite; the
    ///     PostgreSQL store reads through, since other nodes change the database too).
    ///   - logger: the store's logger.
    public func open(cachesReads: Bool = false, logger: Logger = Logger(label: "sharebus.store")) throws
        -> any ShareBusStore & HolderRecordStore
    {
        switch self {
        case .sqlite(let directory):
            return try SQLiteStore(directory: directory, logger: logger, cachesReads: cachesReads)
        case .postgres(let location):
            return PostgresStore.connect(location, logger: logger)
        }
    }

    /// The committed log heads of every node sharing `store`, for `BusEnvironment(logChanges:)`:
    /// PostgreSQL's LISTEN/NOTIFY; nil for a SQLite store, which one process serves alone.
    public static func logChanges(of store: any ShareBusStore) -> AsyncStream<(resource: String, head: Int64)>? {
        (store as? PostgresStore)?.logChanges()
    }
}
