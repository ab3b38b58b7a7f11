import PostgresNIO
public import ShareBusStore

extension PostgresStore {
    /// Runs `verifier` over the audit and checkpoint tables in one REPEATABLE READ, READ ONLY
    /// transaction: one snapshot of the shared chain, while every node keeps appending.
    public func verifyAudit(_ verifier: AuditVerifier) async throws -> AuditReport {
        try await transaction { [logger] connection in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            var walk = AuditChainWalk()
            func report(checkpoints: Int, _ problem: AuditProblem?) -> AuditReport {
                AuditReport(entries: walk.count, checkpoints: checkpoints, signaturesChecked: verifier.busCertificate != nil, problem: problem)
            }
            let entries = try await connection.query(
                "SELECT idx, at, actor, action, target, details, prev_hash, hash FROM audit ORDER BY idx", logger: logger)
            for try await row in entries {
                let (index, at, actor, action, target, details, prevHash, hash) = try row.decode(
                    (Int64, String?, String?, String?, String?, String?, String?, String?).self)
                let stored = StoredAuditRow(
                    index: index, at: at, actor: actor, action: action, target: target, details: details, prevHash: prevHash, hash: hash)
                if let problem = walk.check(stored) { return report(checkpoints: 0, problem) }
            }
            let rows = try await connection.query(
                """
                SELECT c.idx, c.hash, c.at, c.jws, a.hash FROM checkpoint c LEFT JOIN audit a ON a.idx = c.idx ORDER BY c.idx
                """, logger: logger
            ).collect()
            var checked = 0
            for row in rows {
                let (index, hash, at, jws, entryHash) = try row.decode((Int64, String?, String?, String?, String?).self)
                guard let hash, let at, let jws else {
                    return report(checkpoints: checked, .checkpointInvalid(index, "was changed: a column is empty"))
                }
                let checkpoint = Checkpoint(index: index, hash: hash, at: at, jws: jws)
                if let problem = verifier.check(checkpoint, entryHash: entryHash, lastIndex: walk.lastIndex) {
                    return report(checkpoints: checked, problem)
                }
                checked += 1
            }
            return report(checkpoints: checked, nil)
        }
    }
}
