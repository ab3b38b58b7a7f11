import Hummingbird
import ShareBusDelivery

/// Counts every answer of the mutual-TLS listener by route template and status, and the
/// verification calls among them. Outermost, so it sees the status the caller got, problem
/// answers included.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = BusRequestContext
    let metrics: BusMetrics

    static let verificationRoutes: Set<String> = [
        "/v1/verify", "/v1/certificates/verify", "/v1/holders/{holderId}/materials", "/v1/holders/{holderId}/access-log",
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        let route = context.endpointPath ?? "unmatched"
        let status = Int(response.status.code)
        metrics.httpRequest(method: request.method.rawValue, route: route, status: status)
        if Self.verificationRoutes.contains(route) { metrics.verificationCall(route: route, status: status) }
        return response
    }
}
