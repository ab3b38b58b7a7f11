import PostgresNIO
public import ShareBusStore

extension PostgresStore {
    /// The same expression as the index `record_state_holder` (migration `v4-verification`), so
    /// the planner finds a holder's records without reading the resource's other records.
    static func holderQuery(resource: String, holderId: String, limit: Int) -> PostgresQuery {
        """
        SELECT key, record, sequence FROM record_state
        WHERE resource = \(resource) AND upper((record::jsonb) ->> 'holderId') = \(holderId)
        ORDER BY key LIMIT \(Int64(limit))
        """
    }

    public func currentRecords(resource: String, holderId: String, limit: Int) async throws -> [HeldRecord] {
        try await rows(Self.holderQuery(resource: resource, holderId: holderId, limit: limit)).map { row in
            let (key, record, sequence) = try row.decode((String, String, Int64).self)
            return HeldRecord(key: key, record: record, sequence: sequence)
        }
    }

    /// The plan of `currentRecords`, for the test that keeps it on the index. `forceIndex` turns
    /// off sequential scans for this one transaction, as a small test table would otherwise be
    /// read whole: the plan then shows whether the index can answer the query at all.
    func holderQueryPlan(resource: String, holderId: String, forceIndex: Bool) async throws -> String {
        var query = Self.holderQuery(resource: resource, holderId: holderId, limit: 10)
        query.sql = "EXPLAIN " + query.sql
        let explain = query
        return try await transaction { [logger] connection in
            if forceIndex { try await connection.query("SET LOCAL enable_seqscan = off", logger: logger) }
            var lines: [String] = []
            for try await line in try await connection.query(explain, logger: logger).decode(String.self) { lines.append(line) }
            return lines.joined(separator: "\n")
        }
    }
}
