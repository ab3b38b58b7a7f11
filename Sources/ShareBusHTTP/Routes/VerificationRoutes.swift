import Foundation
import Hummingbird
import ShareBusCore
import ShareBusCrypto
import ShareBusVerification

/// Once-only verification (protocol section 7). The service does the work; these routes read the
/// request, name the caller, and turn throttling into 429 with `Retry-After`.
extension BusRouter {
    func addVerificationRoutes(_ env: BusEnvironment) {
        on(.post, "/v1/verify") { request, context in
            let department = try Self.consumer(context, doing: "verify")
            let body = try await Self.strictJSON(request, limit: env.verification.configuration.maxBodySize)
            return try await Self.answer { try await env.verification.verify(body, caller: department) }
        }
        on(.post, "/v1/certificates/verify") { request, context in
            let department = try Self.consumer(context, doing: "check certificates")
            let body = try await Self.strictJSON(request, limit: env.verification.configuration.maxBodySize)
            return try await Self.answer { try await env.verification.certificate(body, caller: department) }
        }
        on(.get, "/v1/holders/{holderId}/materials") { request, context in
            let department = try Self.consumer(context, doing: "list a holder's materials")
            let holderId = try Self.holderId(context)
            let purpose = request.uri.queryParameters.get("purpose")
            return try await Self.answer { try await env.verification.materials(holderId: holderId, purpose: purpose, caller: department) }
        }
        on(.get, "/v1/holders/{holderId}/access-log") { request, context in
            let portal = try context.requireDepartment(role: .portal)
            let holderId = try Self.holderId(context)
            var from: Int64 = 1
            if let text = request.uri.queryParameters.get("from") {
                guard let value = Int64(text), value >= 1 else { throw ShareBusError.invalidParameter("from must be an index from 1") }
                from = value
            }
            let limit = try RequestReading.limit(request, fallback: 100, maximum: env.configuration.maxPageSize)
            return try await Self.answer { try await env.verification.accessLog(holderId: holderId, caller: portal, from: from, limit: limit) }
        }
    }

    /// The calling department; operators hold no subscriptions and verify nothing.
    private static func consumer(_ context: BusRequestContext, doing action: String) throws -> Department {
        guard let department = context.department else { throw ShareBusError(.notSubscribed, "departments \(action), with a subscription") }
        return department
    }

    private static func holderId(_ context: BusRequestContext) throws -> String {
        let raw = try RequestReading.parameter("holderId", context)
        return raw.removingPercentEncoding ?? raw
    }

    /// The body as strict JSON (no duplicate members): its canonical form is what evidence's
    /// `requestSha256` is taken over, so it must have one meaning only.
    private static func strictJSON(_ request: Request, limit: Int) async throws -> JSONValue {
        try RequestReading.requireMediaType(request, anyOf: ["application/json"])
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        do {
            return try StrictJSON.parse(Array(buffer: buffer))
        } catch {
            throw ShareBusError.malformed("the body is not valid JSON: \(error)")
        }
    }

    /// The answer as JSON, never cached; throttling answers 429 `rate-limited` with `Retry-After`.
    private static func answer(_ body: () async throws -> JSONValue) async throws -> Response {
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        do {
            return try JSONResponse.make(try await body(), headers: headers)
        } catch let limited as RateLimitExceeded {
            headers[.retryAfter] = String(limited.retryAfter)
            return ProblemResponse.make(limited.problem, headers: headers)
        }
    }
}
