public import Logging
import PostgresNIO
public import ShareBusCore
public import ShareBusStore

/// Moves a platform from the embedded store: copies a `SQLiteExport` snapshot into this database
/// in ONE transaction, which commits only if the database was empty (migrated, no rows) and the
/// counts and the audit head read back from it agree with the snapshot's.
///
/// Rows go in as multi-row INSERTs, one per batch, each value converted to its column's type here
/// (SQLite's 0/1 become booleans); text is copied unchanged. The audit chain keeps its indexes and
/// hashes, so it and its signed checkpoints verify as before; the chain's head row (`audit_head`,
/// which SQLite does not have) is set to the last entry.
extension PostgresStore {
    /// What was copied: rows per table in copy order, and the audit chain's head.
    public struct ImportSummary: Sendable, Hashable {
        public var tables: [(name: String, rows: Int64)] { zip(names, counts).map { ($0, $1) } }
        var names: [String] = []
        var counts: [Int64] = []
        public var auditHead: (index: Int64, hash: String)? { headIndex.map { ($0, headHash ?? "") } }
        var headIndex: Int64?
        var headHash: String?
    }

    /// Tables of this schema that the embedded store has no counterpart of.
    static let ownTables: Set<String> = ["schema_migrations", "audit_head"]

    /// Copies `export` into this database; `progress` hears each table once it is copied.
    public func importSnapshot(
        _ export: SQLiteExport, progress: @escaping @Sendable (String, Int64) -> Void = { _, _ in }
    ) async throws -> ImportSummary {
        try await migrated()
        return try await client.withConnection { [logger] connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                let summary = try await Self.copy(export, on: connection, logger: logger, progress: progress)
                try await connection.query("COMMIT", logger: logger)
                return summary
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw Self.readable(error)
            }
        }
    }

    static func copy(
        _ export: SQLiteExport, on connection: PostgresConnection, logger: Logger, progress: @Sendable (String, Int64) -> Void
    ) async throws -> ImportSummary {
        // Every audited write of a running node locks this row first: none can slip in meanwhile.
        let head = try await connection.query("SELECT idx FROM audit_head WHERE id = 1 FOR UPDATE NOWAIT", logger: logger)
            .collect().first?.decode(Int64.self)
        let types = try await columnTypes(on: connection, logger: logger)
        try await requireEmpty(types.keys.filter { !ownTables.contains($0) }.sorted(), head: head, on: connection, logger: logger)
        for table in export.tables {
            guard let columns = types[table.name] else {
                throw ShareBusError(.invalidParameter, "the target database has no table \(table.name); is it a sharebus database of this version?")
            }
            for column in table.columns where columns[column] == nil {
                throw ShareBusError(.invalidParameter, "the target database's table \(table.name) has no column \(column)")
            }
        }
        var summary = ImportSummary()
        for table in export.tables {
            let columns = types[table.name] ?? [:]
            let kinds = table.columns.map { columns[$0] ?? "text" }
            let insert = "INSERT INTO \(SQLiteExport.quoted(table.name)) (\(table.columns.map(SQLiteExport.quoted).joined(separator: ", "))) VALUES "
            let batchSize = max(1, min(1000, 60_000 / max(1, table.columns.count)))
            let copied = try await export.rows(of: table, batchSize: batchSize) { batch in
                var bindings = PostgresBindings(capacity: batch.count * kinds.count)
                var tuples: [String] = []
                tuples.reserveCapacity(batch.count)
                for row in batch {
                    let first = bindings.count
                    for (index, value) in row.enumerated() {
                        try bind(value, as: kinds[index], into: &bindings, column: "\(table.name).\(table.columns[index])")
                    }
                    tuples.append("(" + (first..<bindings.count).map { "$\($0 + 1)" }.joined(separator: ", ") + ")")
                }
                try await connection.query(PostgresQuery(unsafeSQL: insert + tuples.joined(separator: ", "), binds: bindings), logger: logger)
            }
            let stored = try await count(table.name, on: connection, logger: logger)
            let expected = try export.count(table)
            guard stored == expected, copied == expected else {
                throw ShareBusError(
                    .storageUnavailable, "\(table.name): the snapshot holds \(expected) rows, \(copied) were sent, \(stored) read back")
            }
            summary.names.append(table.name)
            summary.counts.append(stored)
            progress(table.name, stored)
        }
        try await setAuditHead(export.auditHead(), summary: &summary, on: connection, logger: logger)
        return summary
    }

    /// Points `audit_head` at the snapshot's newest entry and checks what reads back.
    static func setAuditHead(
        _ expected: (index: Int64, hash: String)?, summary: inout ImportSummary, on connection: PostgresConnection, logger: Logger
    ) async throws {
        guard let expected else { return }
        try await connection.query("UPDATE audit_head SET idx = \(expected.index), hash = \(expected.hash) WHERE id = 1", logger: logger)
        let newest = try await connection.query("SELECT idx, hash FROM audit ORDER BY idx DESC LIMIT 1", logger: logger)
            .collect().first?.decode((Int64, String).self)
        let head = try await connection.query("SELECT idx, hash FROM audit_head WHERE id = 1", logger: logger)
            .collect().first?.decode((Int64, String).self)
        guard let newest, newest == expected, let head, head == expected else {
            let found = newest.map { "\($0.0) \($0.1)" } ?? "none"
            throw ShareBusError(
                .storageUnavailable, "the audit head read back (\(found)) is not the snapshot's (\(expected.index) \(expected.hash))")
        }
        summary.headIndex = newest.0
        summary.headHash = newest.1
    }

    /// The type of every column of every table of the current schema.
    static func columnTypes(on connection: PostgresConnection, logger: Logger) async throws -> [String: [String: String]] {
        var types: [String: [String: String]] = [:]
        let rows = try await connection.query(
            """
            SELECT c.table_name::text, c.column_name::text, c.data_type::text FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
            """, logger: logger)
        for try await (table, column, type) in rows.decode((String, String, String).self) { types[table, default: [:]][column] = type }
        return types
    }

    static func requireEmpty(_ tables: [String], head: Int64?, on connection: PostgresConnection, logger: Logger) async throws {
        var filled: [String] = []
        for table in tables where try await count(table, on: connection, logger: logger) > 0 { filled.append(table) }
        if head != 0 { filled.append("audit_head") }
        guard filled.isEmpty else {
            throw ShareBusError(
                .alreadyExists, "the target database is not empty (rows in \(filled.joined(separator: ", "))); migrate into a new, empty database")
        }
    }

    static func count(_ table: String, on connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        try await connection.query(PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \(SQLiteExport.quoted(table))"), logger: logger)
            .collect().first?.decode(Int64.self) ?? 0
    }
}
