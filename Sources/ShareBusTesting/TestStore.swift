public import Foundation
public import ShareBusPostgres
public import ShareBusStore

/// The store a test bus runs on. The exchange suites run against each:
/// `@Test(arguments: TestStore.allCases)`.
///
/// A PostgreSQL bus gets a fresh database of the shared throwaway cluster (`PostgresCluster.shared()`);
/// without the PostgreSQL server binaries that fails with `PostgresCluster.Unavailable`, which says
/// what to install, rather than leaving the test out.
public enum TestStore: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// Where a bus of this kind keeps its state for the folder `folder`: the SQLite file there, or a
    /// PostgreSQL database made on first use and named in `folder/postgres-url`, so that a bus started
    /// again on the folder (a restart) finds the same database.
    public func location(in folder: String) async throws -> BusStoreLocation {
        switch self {
        case .sqlite:
            return .sqlite(directory: folder)
        case .postgres:
            let file = folder + "/postgres-url"
            if let url = try? String(contentsOfFile: file, encoding: .utf8) { return try BusStoreLocation(url: url, directory: folder) }
            let url = try await PostgresCluster.shared().makeDatabase()
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try url.write(toFile: file, atomically: true, encoding: .utf8)
            return try BusStoreLocation(url: url, directory: folder)
        }
    }

    /// Opens the store a bus of this kind keeps for `folder` (what a stopped bus left there), runs
    /// `body` on it, and closes it.
    public func withStore<T: Sendable>(in folder: String, _ body: (any ShareBusStore) async throws -> T) async throws -> T {
        let store = try await location(in: folder).open()
        do {
            let value = try await body(store)
            await (store as? PostgresStore)?.close()
            return value
        } catch {
            await (store as? PostgresStore)?.close()
            throw error
        }
    }
}
