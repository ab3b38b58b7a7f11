import Foundation

/// The checks an operator runs on a data folder after a fault: SQLite's own and the audit chain's.
enum StoreChecks {
    /// `PRAGMA integrity_check` and `sharebus audit verify` on the stopped bus's folder; answers what failed (empty: both clean).
    static func verify(_ ws: Workspace) async throws -> [String] {
        var problems: [String] = []
        let integrity = try await Command.sqlite(ws.database, "PRAGMA integrity_check;")
        if integrity.status != 0 || integrity.stdout.trimmingCharacters(in: .whitespacesAndNewlines) != "ok" {
            problems.append("PRAGMA integrity_check: \(integrity)")
        }
        let audit = try await ws.sharebus(["audit", "verify"])
        if audit.status != 0 || !audit.stdout.contains("audit log verified") {
            problems.append("sharebus audit verify: \(audit)")
        }
        return problems
    }
}
