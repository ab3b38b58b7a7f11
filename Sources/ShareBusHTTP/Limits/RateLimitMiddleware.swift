import Foundation
public import Hummingbird
import ShareBusCore

/// Refuses a caller that has spent its request budget with 429 `rate-limited` and `Retry-After`,
/// before the route runs: a throttled request reads no body and touches no store.
///
/// It runs after `ClientIdentityMiddleware`, so the budget belongs to the verified certificate
/// identity, never to anything the request says about itself.
public struct RateLimitMiddleware: RouterMiddleware {
    public typealias Context = BusRequestContext
    let limiter: PrincipalRateLimiter

    public init(limiter: PrincipalRateLimiter) {
        self.limiter = limiter
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let caller = try context.caller()
        switch limiter.admit(caller.uri) {
        case .admitted:
            return try await next(request, context)
        case .limited(let retryAfter):
            var headers = HTTPFields()
            headers[.retryAfter] = String(retryAfter)
            let problem = ShareBusError(.rateLimited, "too many requests from \(caller); retry after \(retryAfter) s")
            return ProblemResponse.make(problem, headers: headers)
        }
    }
}
