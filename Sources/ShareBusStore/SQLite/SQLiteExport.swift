public import Foundation
import GRDB
public import ShareBusCore

/// Reads every table of an embedded store, table by table and in batches, from one read
/// transaction: a consistent snapshot of the whole store as of the transaction's first read, for
/// moving a platform to another store (`sharebus migrate-store`).
///
/// Values come back as SQLite holds them; text byte for byte (records sealed by the encryption
/// layer above the store are opaque text). Rows are paged in primary-key order with row-value
/// comparisons, so a big table costs one index walk, not one scan per batch.
public final class SQLiteExport: Sendable {
    /// One column's value as SQLite stores it.
    public enum Value: Sendable, Hashable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
    }

    /// A table of the store: its columns in order and the columns of its primary key.
    public struct Table: Sendable, Hashable {
        public var name: String
        public var columns: [String]
        public var primaryKey: [String]
    }

    public let tables: [Table]
    let queue: DatabaseQueue

    /// Opens the store in `dataDirectory` read-only and begins the snapshot.
    public init(dataDirectory: String) throws {
        let path = SQLiteBackup.storeFile(in: dataDirectory)
        guard FileManager.default.fileExists(atPath: path) else {
            throw ShareBusError(.invalidParameter, "no store in \(dataDirectory)")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        // The snapshot's transaction stays open across accesses, one batch each.
        configuration.allowsUnsafeTransactions = true
        queue = try DatabaseQueue(path: path, configuration: configuration)
        tables = try queue.inDatabase { db in
            try db.execute(sql: "BEGIN DEFERRED TRANSACTION")
            // The first read fixes the snapshot every later read of this transaction sees.
            let names = try String.fetchAll(
                db,
                sql: """
                    SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations'
                    ORDER BY name
                    """)
            return try names.map { name in
                let info = try Row.fetchAll(db, sql: "SELECT name, pk FROM pragma_table_info(?) ORDER BY cid", arguments: [name])
                let columns = info.map { $0["name"] as String }
                let key = info.filter { ($0["pk"] as Int) > 0 }.sorted { ($0["pk"] as Int) < ($1["pk"] as Int) }.map { $0["name"] as String }
                return Table(name: name, columns: columns, primaryKey: key.isEmpty ? ["rowid"] : key)
            }
        }
    }

    /// Ends the snapshot and closes the file.
    public func close() throws {
        try queue.inDatabase { db in try db.execute(sql: "COMMIT") }
        try queue.close()
    }

    /// How many rows `table` holds in the snapshot.
    public func count(_ table: Table) throws -> Int64 {
        try queue.inDatabase { db in try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM \(Self.quoted(table.name))") ?? 0 }
    }

    /// The rows of `table` in primary-key order, `batchSize` at a time, each batch handed to `body`
    /// before the next is read. Answers how many rows there were.
    @discardableResult
    public func rows(
        of table: Table, batchSize: Int = 1000, _ body: ([[Value]]) async throws -> Void
    ) async throws -> Int64 {
        let key = table.primaryKey.map(Self.quoted).joined(separator: ", ")
        let select = "SELECT \(table.columns.map(Self.quoted).joined(separator: ", ")), \(key) FROM \(Self.quoted(table.name))"
        var after: [DatabaseValue]?
        var total: Int64 = 0
        while true {
            let (batch, last) = try queue.inDatabase { db -> ([[Value]], [DatabaseValue]?) in
                var sql = select
                var arguments = StatementArguments()
                if let after {
                    sql += " WHERE (\(key)) > (\(after.map { _ in "?" }.joined(separator: ", ")))"
                    arguments = StatementArguments(after)
                }
                sql += " ORDER BY \(key) LIMIT \(batchSize)"
                let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
                let values = try rows.map { row in try (0..<table.columns.count).map { try Self.value(row[$0] as DatabaseValue, table, $0) } }
                let last = rows.last.map { row in (table.columns.count..<row.count).map { row[$0] as DatabaseValue } }
                return (values, last)
            }
            if batch.isEmpty { return total }
            total += Int64(batch.count)
            try await body(batch)
            if batch.count < batchSize { return total }
            after = last
        }
    }

    /// The newest audit entry's index and hash in the snapshot.
    public func auditHead() throws -> (index: Int64, hash: String)? {
        try queue.inDatabase { db in
            try Row.fetchOne(db, sql: "SELECT idx, hash FROM audit ORDER BY idx DESC LIMIT 1").map { ($0["idx"], $0["hash"]) }
        }
    }

    static func value(_ value: DatabaseValue, _ table: Table, _ column: Int) throws -> Value {
        switch value.storage {
        case .null: return .null
        case .int64(let number): return .integer(number)
        case .double(let number): return .real(number)
        case .string(let text): return .text(text)
        case .blob:
            throw ShareBusError(.invalidParameter, "\(table.name).\(table.columns[column]) holds a blob, which no column of the store should")
        }
    }

    /// `name` as an SQL identifier, quoted.
    public static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
