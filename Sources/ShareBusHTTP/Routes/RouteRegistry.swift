public import HTTPTypes
import NIOConcurrencyHelpers

/// Every route the bus registers, method and path template (`/v1/resources/{code}`).
///
/// Used to answer 405 with `Allow` for a known path and another method, and by the test that keeps
/// the OpenAPI document complete.
public final class RouteRegistry: Sendable {
    public struct Route: Sendable, Hashable {
        public let method: HTTPRequest.Method
        public let path: String
    }

    private let storage = NIOLockedValueBox<[Route]>([])

    public init() {}

    public var routes: [Route] { storage.withLockedValue { $0 } }

    func add(_ method: HTTPRequest.Method, _ path: String) {
        storage.withLockedValue { $0.append(Route(method: method, path: path)) }
    }

    /// The methods registered for templates that match a concrete path.
    public func methods(matching path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return routes.filter { route in
            let template = route.path.split(separator: "/", omittingEmptySubsequences: true)
            guard template.count == segments.count else { return false }
            return zip(template, segments).allSatisfy { t, s in t.hasPrefix("{") || t == s }
        }.map(\.method)
    }
}
