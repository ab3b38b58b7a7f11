import ShareBusCore
import ShareBusPostgres
public import ShareBusStore

extension AuditVerifier {
    /// Checks the audit log and checkpoints of a test bus's store, whichever kind it is.
    public func verify(_ store: any ShareBusStore) async throws -> AuditReport {
        switch store {
        case let sqlite as SQLiteStore: return try await verify(sqlite)
        case let postgres as PostgresStore: return try await postgres.verifyAudit(self)
        default: throw ShareBusError(.internalError, "no audit verification for \(type(of: store))")
        }
    }
}
