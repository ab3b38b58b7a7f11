import GRDB

/// A current record found by its holder.
public struct HeldRecord: Sendable, Hashable {
    /// The primary key, as text.
    public var key: String
    /// Canonical JSON text of the record.
    public var record: String
    /// The log sequence that wrote it: the newer record has the higher one.
    public var sequence: Int64

    public init(key: String, record: String, sequence: Int64) {
        self.key = key
        self.record = record
        self.sequence = sequence
    }
}

/// Finding current records by their `holderId` member (e-certificates and filed materials), for
/// once-only verification. A store that can answer this conforms; the SQLite store does, with an
/// expression index (migration `v5-verification`).
public protocol HolderRecordStore: Sendable {
    /// The current records of `resource` whose `holderId`, upper-cased, is `holderId` (pass it
    /// normalised and upper-cased), in key order, at most `limit`.
    func currentRecords(resource: String, holderId: String, limit: Int) async throws -> [HeldRecord]
}

extension SQLiteStore: HolderRecordStore {
    // Without statistics SQLite prefers the primary key (resource, key), which scans every record of
    // the resource; INDEXED BY holds the query to the holder index (and fails loudly if it is missing).
    static let holderQuery = """
        SELECT key, record, sequence FROM record_state INDEXED BY record_state_holder
        WHERE resource = ? AND upper(json_extract(record, '$.holderId')) = ?
        ORDER BY key LIMIT ?
        """

    public func currentRecords(resource: String, holderId: String, limit: Int) async throws -> [HeldRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: Self.holderQuery, arguments: [resource, holderId, limit])
                .map { HeldRecord(key: $0["key"], record: $0["record"], sequence: $0["sequence"]) }
        }
    }

    /// The query plan of `currentRecords`, for the test that keeps it on the index.
    func holderQueryPlan() async throws -> [String] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + Self.holderQuery, arguments: ["r", "h", 1]).map { $0["detail"] as String }
        }
    }
}
