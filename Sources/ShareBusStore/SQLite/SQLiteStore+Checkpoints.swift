import Foundation
import GRDB
import ShareBusCore

extension SQLiteStore {
    public func checkpoints(limit: Int) async throws -> [Checkpoint] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM checkpoint ORDER BY idx DESC LIMIT ?", arguments: [limit]).map {
                Checkpoint(index: $0["idx"], hash: $0["hash"], at: $0["at"], jws: $0["jws"])
            }
        }
    }

    /// Signs the current head unless the newest checkpoint already covers it.
    public func addCheckpoint(_ make: @escaping @Sendable (AuditEntry) throws -> Checkpoint) async throws -> Checkpoint? {
        try await mapErrors {
            try await pool.write { db in
                guard let head = try Row.fetchOne(db, sql: "SELECT * FROM audit ORDER BY idx DESC LIMIT 1").map(AuditChain.entry)
                else { return nil }
                let last = try Int64.fetchOne(db, sql: "SELECT MAX(idx) FROM checkpoint")
                if let last, last >= head.index { return nil }
                let checkpoint = try make(head)
                try db.execute(
                    sql: "INSERT INTO checkpoint (idx, hash, at, jws) VALUES (?,?,?,?)",
                    arguments: [checkpoint.index, checkpoint.hash, checkpoint.at, checkpoint.jws])
                return checkpoint
            }
        }
    }
}
