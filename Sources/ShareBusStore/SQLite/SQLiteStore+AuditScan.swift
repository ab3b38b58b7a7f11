import GRDB

extension SQLiteStore {
    /// Runs `verifier` over the audit and checkpoint tables inside one read transaction, so a bus
    /// that keeps appending does not move the log under it.
    func scanAudit(_ verifier: AuditVerifier) async throws -> AuditReport {
        try await pool.read { db in try AuditScan.run(verifier, in: db) }
    }
}

extension AuditVerifier {
    /// Checks the SQLite file at `path` (a `sharebus.sqlite`), opened read-only: for a store that is
    /// not open in this process, or a copy of one.
    public func verify(databaseAt path: String) async throws -> AuditReport {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try await queue.read { db in try AuditScan.run(self, in: db) }
    }
}

/// Reads the rows as stored, each column as it is, without trusting any of it.
enum AuditScan {
    static func run(_ verifier: AuditVerifier, in db: Database) throws -> AuditReport {
        var walk = AuditChainWalk()
        func report(checkpoints: Int, _ problem: AuditProblem?) -> AuditReport {
            AuditReport(entries: walk.count, checkpoints: checkpoints, signaturesChecked: verifier.busCertificate != nil, problem: problem)
        }
        // Streamed with a cursor: a long log is never held in memory at once.
        let entries = try Row.fetchCursor(
            db, sql: "SELECT idx, at, actor, action, target, details, prev_hash, hash FROM audit ORDER BY idx")
        while let row = try entries.next() {
            let stored = StoredAuditRow(
                index: row["idx"], at: row["at"], actor: row["actor"], action: row["action"], target: row["target"],
                details: row["details"], prevHash: row["prev_hash"], hash: row["hash"])
            if let problem = walk.check(stored) { return report(checkpoints: 0, problem) }
        }
        var checked = 0
        let checkpoints = try Row.fetchCursor(db, sql: "SELECT idx, hash, at, jws FROM checkpoint ORDER BY idx")
        while let row = try checkpoints.next() {
            let index: Int64 = row["idx"]
            let hash: String? = row["hash"]
            let at: String? = row["at"]
            let jws: String? = row["jws"]
            guard let hash, let at, let jws else {
                return report(checkpoints: checked, .checkpointInvalid(index, "was changed: a column is empty"))
            }
            let entryHash = try String.fetchOne(db, sql: "SELECT hash FROM audit WHERE idx = ?", arguments: [index])
            let checkpoint = Checkpoint(index: index, hash: hash, at: at, jws: jws)
            if let problem = verifier.check(checkpoint, entryHash: entryHash, lastIndex: walk.lastIndex) {
                return report(checkpoints: checked, problem)
            }
            checked += 1
        }
        return report(checkpoints: checked, nil)
    }
}
