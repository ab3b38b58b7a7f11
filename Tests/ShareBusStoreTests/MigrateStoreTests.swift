import Foundation
import GRDB
import PostgresNIO
import ShareBusCore
import ShareBusStore
import ShareBusTesting
import Testing

@testable import ShareBusPostgres

/// `SQLiteExport` into `PostgresStore.importSnapshot`: every table of the schema, filled with rows
/// that stress the conversion (several batches and a partial one, NULLs, 0/1 flags, fractional
/// times, quotes, newlines and CJK text), read back from PostgreSQL and compared row by row.
@Suite("Migrating a SQLite store into PostgreSQL, table by table", .timeLimit(.minutes(3)))
struct MigrateStoreContractTests {
    static let rowsPerTable = 2_500

    @Test("every row of every table arrives unchanged, the audit head row follows the chain, a second import is refused")
    func copiesEveryTable() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sharebus-migrate-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try SQLiteStore(directory: directory)
        try Self.fill(SQLiteBackup.storeFile(in: directory))

        let url = try await PostgresCluster.shared().makeDatabase()
        let store = try await PostgresStore.open(url: url)
        defer { Task { await store.close() } }
        let export = try SQLiteExport(dataDirectory: directory)
        let clock = ContinuousClock()
        let started = clock.now
        let summary = try await store.importSnapshot(export)
        let elapsed = clock.now - started
        let total = summary.tables.reduce(Int64(0)) { $0 + $1.rows }
        print("imported \(total) rows of \(summary.tables.count) tables in \(elapsed)")

        #expect(summary.tables.map(\.name) == export.tables.map(\.name))
        #expect(summary.tables.allSatisfy { $0.rows == Int64(Self.rowsPerTable) }, "\(summary.tables)")
        let types = try await store.client.withConnection { try await PostgresStore.columnTypes(on: $0, logger: store.logger) }
        for table in export.tables {
            let source = try await Self.rows(of: table, in: export)
            let target = try await Self.rows(of: table, types: types[table.name] ?? [:], in: store)
            #expect(source.count == Self.rowsPerTable)
            #expect(Set(source) == Set(target), "\(table.name) differs after the copy")
        }
        let head = try #require(summary.auditHead)
        #expect(head.index == Int64(Self.rowsPerTable))
        #expect(try await store.auditHead()?.hash == head.hash)
        let headRow = try await store.client.withConnection { connection in
            try await connection.query("SELECT idx, hash FROM audit_head WHERE id = 1", logger: store.logger).collect().first?
                .decode((Int64, String).self)
        }
        #expect(headRow?.0 == head.index && headRow?.1 == head.hash, "the chain's head row was not moved to the last entry")
        try export.close()

        // The database now holds rows: a second import is refused and leaves them alone.
        let again = try SQLiteExport(dataDirectory: directory)
        let refusal = await #expect(throws: ShareBusError.self) { try await store.importSnapshot(again) }
        #expect(refusal?.code == .alreadyExists)
        #expect(refusal?.detail.contains("not empty") == true, "\(String(describing: refusal))")
        try again.close()
        let counts = try await store.client.withConnection { connection in
            try await PostgresStore.count("audit", on: connection, logger: store.logger)
        }
        #expect(counts == Int64(Self.rowsPerTable))
    }

    /// Inserts `rowsPerTable` rows into every table, each value fitting its declared column type.
    static func fill(_ path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            let tables = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations'")
            for table in tables {
                let columns = try Row.fetchAll(db, sql: "SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid", arguments: [table])
                let names = columns.map { SQLiteExport.quoted($0["name"]) }.joined(separator: ", ")
                let marks = columns.map { _ in "?" }.joined(separator: ", ")
                let statement = try db.makeStatement(sql: "INSERT INTO \(SQLiteExport.quoted(table)) (\(names)) VALUES (\(marks))")
                for n in 1...rowsPerTable {
                    let values = columns.map { column in value(n, type: column["type"], name: column["name"], key: (column["pk"] as Int) > 0) }
                    try statement.execute(arguments: StatementArguments(values))
                }
            }
        }
        try queue.close()
    }

    static func value(_ n: Int, type: String, name: String, key: Bool) -> DatabaseValue {
        switch type.uppercased() {
        case "INTEGER": return (key ? Int64(n) : Int64(n % 2)).databaseValue
        case "REAL":
            return (n % 3 == 0 && !key && name != "not_before" && name != "not_after" && name != "created_at")
                ? .null : (1_800_000_000.125 + Double(n) / 7).databaseValue
        default:
            // JSON, so that the expression index on record_state's `holderId` accepts it.
            return "{\"holderId\":\"H\(n)\",\"note\":\"它's \\\"quoted\\\"\\nline \(name) \(n)\"}".databaseValue
        }
    }

    static func rows(of table: SQLiteExport.Table, in export: SQLiteExport) async throws -> [[SQLiteExport.Value]] {
        var rows: [[SQLiteExport.Value]] = []
        try await export.rows(of: table, batchSize: 700) { rows += $0 }
        return rows
    }

    /// The rows of a PostgreSQL table, each value turned back into the form SQLite keeps it in.
    static func rows(of table: SQLiteExport.Table, types: [String: String], in store: PostgresStore) async throws -> [[SQLiteExport.Value]] {
        let sql = "SELECT \(table.columns.map(SQLiteExport.quoted).joined(separator: ", ")) FROM \(SQLiteExport.quoted(table.name))"
        return try await store.client.withConnection { connection in
            var rows: [[SQLiteExport.Value]] = []
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: store.logger) {
                let cells = row.makeRandomAccess()
                rows.append(
                    try table.columns.enumerated().map { index, column in
                        let cell = cells[index]
                        switch types[column] {
                        case "bigint": return try cell.decode(Int64?.self).map { .integer($0) } ?? .null
                        case "integer": return try cell.decode(Int32?.self).map { .integer(Int64($0)) } ?? .null
                        case "boolean": return try cell.decode(Bool?.self).map { .integer($0 ? 1 : 0) } ?? .null
                        case "double precision": return try cell.decode(Double?.self).map { .real($0) } ?? .null
                        default: return try cell.decode(String?.self).map { .text($0) } ?? .null
                        }
                    })
            }
            return rows
        }
    }
}
