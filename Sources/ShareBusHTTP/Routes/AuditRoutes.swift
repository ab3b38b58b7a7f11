import Foundation
import Hummingbird
import ShareBusCore
import ShareBusStore

/// The audit log (protocol section 8), read-only: no route writes, changes or deletes an entry;
/// entries are appended only by the actions they record, in the same transaction.
///
/// Who reads it: auditors (`urn:sharebus:auditor:<id>`) and operators (the protocol names them).
/// Entries carry who did what to which object, never a record's values or a data subject's id
/// (only its keyed digest), so an operator learns no personal data from them. Checkpoints are signed
/// head hashes and are answered to every caller, so that any department can keep one and later show
/// that the log was rewritten.
extension BusRouter {
    func addAuditRoutes(_ env: BusEnvironment) {
        on(.get, "/v1/audit") { request, context in
            try context.requireAuditReader()
            let query = request.uri.queryParameters
            var from: Int64 = 1
            if let text = query.get("from") {
                guard let value = Int64(text), value >= 1 else { throw ShareBusError.invalidParameter("from must be an index from 1") }
                from = value
            }
            let limit = try RequestReading.limit(request, fallback: 100, maximum: env.configuration.maxPageSize)
            let entries = try await env.store.auditEntries(AuditQuery(from: from, limit: limit, actor: query.get("actor"), action: query.get("action")))
            return try JSONResponse.make(["entries": entries])
        }
        on(.get, "/v1/audit/checkpoints") { request, _ in
            let limit = try RequestReading.limit(request, fallback: 100, maximum: env.configuration.maxPageSize)
            return try JSONResponse.make(["checkpoints": try await env.store.checkpoints(limit: limit)])
        }
    }
}

extension BusRequestContext {
    /// Auditors and operators read the audit log; departments do not (a holder's own trail is the
    /// portal's access log, `GET /v1/holders/{holderId}/access-log`).
    func requireAuditReader() throws {
        switch principal {
        case .auditor, .operator: return
        case .department, nil: throw ShareBusError.forbidden("the audit log is read by auditors and operators")
        }
    }
}
