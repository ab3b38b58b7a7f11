public import Foundation
import PostgresNIO
public import ShareBusCore
public import ShareBusStore

extension PostgresStore {
    public func checkpoints(limit: Int) async throws -> [Checkpoint] {
        try await rows("SELECT idx, hash, at, jws FROM checkpoint ORDER BY idx DESC LIMIT \(Int64(limit))").map { row in
            let (index, hash, at, jws) = try row.decode((Int64, String, String, String).self)
            return Checkpoint(index: index, hash: hash, at: at, jws: jws)
        }
    }

    /// Signs the current head unless the newest checkpoint already covers it. The chain's head row
    /// is locked for the whole transaction: one node signs at a time, and no entry is appended
    /// between reading the head and storing its checkpoint.
    public func addCheckpoint(_ make: @escaping @Sendable (AuditEntry) throws -> Checkpoint) async throws -> Checkpoint? {
        try await transaction { [logger] connection in
            try await connection.query("SELECT idx FROM audit_head WHERE id = 1 FOR UPDATE", logger: logger)
            let heads = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT \(AuditChain.columns) FROM audit ORDER BY idx DESC LIMIT 1"), logger: logger
            ).collect()
            guard let head = try heads.first.map(AuditChain.entry) else { return nil }
            let last = try await connection.query("SELECT MAX(idx) FROM checkpoint", logger: logger).collect().first?.decode(Int64?.self)
            if let last, last >= head.index { return nil }
            let checkpoint = try make(head)
            try await connection.query(
                """
                INSERT INTO checkpoint (idx, hash, at, jws)
                VALUES (\(checkpoint.index), \(checkpoint.hash), \(checkpoint.at), \(checkpoint.jws))
                """, logger: logger)
            return checkpoint
        }
    }
}
