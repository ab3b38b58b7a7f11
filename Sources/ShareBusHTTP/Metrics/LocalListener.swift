import Foundation
import Hummingbird
import Logging
import NIOCore
public import ServiceLifecycle
import ShareBusCore

/// The plain-HTTP listener beside the mutual-TLS one: `/metrics`, `/healthz` and `/readyz` for
/// Prometheus and probes, which hold no department certificate, and, when configured, the operator
/// dashboard for whoever is on this host (trusted-localhost operator access).
///
/// It binds `127.0.0.1` by default. The dashboard is refused on any other address: the listener
/// has no TLS and no client certificates, so being on the host is the only credential.
enum LocalListener {
    /// The operator the local listener acts as in the audit log: `operator:localhost`.
    static let operatorID = "localhost"

    static func makeRouter(_ env: BusEnvironment) -> (Router<BusRequestContext>, RouteRegistry) {
        let registry = RouteRegistry()
        let router = Router(context: BusRequestContext.self)
        router.add(middleware: ProblemMiddleware(routes: registry))
        let bus = BusRouter(router: router, registry: registry)
        bus.addHealthRoutes(env)
        bus.addMetricsRoute(env, operatorsOnly: false)
        if env.configuration.dashboardOnLocalListener {
            router.add(middleware: LocalOperatorMiddleware())
            bus.addDashboardRoutes(env)
        }
        return (router, registry)
    }

    /// The listener as a service of the bus application, or nil when it is turned off.
    static func service(_ env: BusEnvironment, onServerRunning: @escaping @Sendable (any Channel) async -> Void) throws -> (any Service)? {
        let configuration = env.configuration
        guard let port = configuration.localPort else { return nil }
        if configuration.dashboardOnLocalListener, !isLoopback(host: configuration.localHost) {
            throw ShareBusError.invalidParameter(
                "the dashboard is served on the local listener only on a loopback address, not \(configuration.localHost)")
        }
        let (router, _) = makeRouter(env)
        let app = Application(
            router: router, server: .http1(),
            configuration: .init(address: .hostname(configuration.localHost, port: port), serverName: "sharebus"),
            onServerRunning: onServerRunning, logger: env.logger)
        return Contained(app: app, logger: env.logger, address: "\(configuration.localHost):\(port)")
    }

    /// True for `localhost`, `127.x.x.x` and `::1`, with or without brackets and a port.
    static func isLoopback(host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("[") {
            name = String(name.dropFirst().prefix { $0 != "]" })
        } else if name.filter({ $0 == ":" }).count == 1, let colon = name.firstIndex(of: ":") {
            name = String(name[..<colon])
        }
        if name == "localhost" || name == "::1" { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// A failure of the local listener (its port taken, say) is logged and does not stop the bus:
    /// the exchange keeps serving departments while monitoring is repaired.
    struct Contained<App: ApplicationProtocol>: Service {
        let app: App
        let logger: Logger
        let address: String

        func run() async throws {
            do {
                try await app.run()
            } catch {
                guard !Task.isCancelled else { return }
                logger.error(
                    "the local metrics listener stopped; the bus goes on without it",
                    metadata: ["listener.address": "\(address)", "error": "\(error)"])
                // Returning would end the whole service group; wait for the bus to stop instead.
                try? await gracefulShutdown()
            }
        }
    }
}

/// On the local listener, makes a dashboard request an operator's, after checking it is meant for
/// this host: a `Host` other than a loopback name is refused, so a web page cannot rebind its own
/// name to 127.0.0.1 and read the dashboard (DNS rebinding).
struct LocalOperatorMiddleware: RouterMiddleware {
    typealias Context = BusRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/ui") else { return try await next(request, context) }
        let host = request.head.authority ?? ""
        guard LocalListener.isLoopback(host: host) else {
            throw ShareBusError.forbidden("the local dashboard answers only requests for localhost, not \(host)")
        }
        var context = context
        context.principal = .operator(LocalListener.operatorID)
        return try await next(request, context)
    }
}
