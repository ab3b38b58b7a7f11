public import Hummingbird
import ShareBusCore

/// Keeps an auditor's certificate to what an auditor is for: the audit log, its checkpoints, and
/// the public routes every caller has (health, PKI, the OpenAPI document). Anything else answers
/// 403 `forbidden` before the route runs, whatever the route itself would allow a non-department
/// caller: the list is of what is allowed, so a new route is closed to auditors until added here.
public struct AuditorScopeMiddleware: RouterMiddleware {
    public typealias Context = BusRequestContext

    /// Exact paths an auditor may GET.
    static let allowedPaths: Set<String> = [
        "/v1/audit", "/v1/audit/checkpoints", "/healthz", "/readyz", "/v1/openapi.json",
        "/v1/pki/ca.pem", "/v1/pki/bus.pem", "/v1/pki/crl",
    ]

    public init() {}

    static func allows(method: HTTPRequest.Method, path: String) -> Bool {
        (method == .get || method == .head) && allowedPaths.contains(path)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if case .auditor = context.principal, !Self.allows(method: request.method, path: request.uri.path) {
            throw ShareBusError.forbidden("an auditor certificate reads the audit log and its checkpoints only")
        }
        return try await next(request, context)
    }
}
