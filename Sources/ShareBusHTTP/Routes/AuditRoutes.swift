import Foundation
import Hummingbird
import ShareBusCore
import ShareBusStore

extension BusRouter {
    func addAuditRoutes(_ env: BusEnvironment) {
        on(.get, "/v1/audit") { request, context in
            _ = try context.requireOperator()
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
