public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import ServiceLifecycle
import ShareBusCore

/// Builds the bus's HTTPS application from its environment.
public enum BusApplication {
    /// The router with every route and the middleware stack: request metrics outermost, then problems, then identity.
    public static func makeRouter(_ env: BusEnvironment) -> (Router<BusRequestContext>, RouteRegistry) {
        let registry = RouteRegistry()
        let router = Router(context: BusRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware(metrics: env.metrics))
        router.add(middleware: ProblemMiddleware(routes: registry))
        router.add(middleware: ClientIdentityMiddleware(store: env.store, clock: env.clock))
        router.add(middleware: RateLimitMiddleware(limiter: PrincipalRateLimiter(configuration: env.configuration.rateLimits, clock: env.clock)))
        router.add(middleware: AuditorScopeMiddleware())
        let bus = BusRouter(router: router, registry: registry)
        bus.addHealthRoutes(env)
        bus.addPKIRoutes(env)
        bus.addDepartmentRoutes(env)
        bus.addCatalogRoutes(env)
        bus.addEnvelopeRoutes(env)
        bus.addSubscriptionRoutes(env)
        bus.addDeliveryRoutes(env)
        bus.addAuditRoutes(env)
        bus.addOperationsRoutes(env)
        bus.addVerificationRoutes(env)
        bus.addMetricsRoute(env, operatorsOnly: true)
        bus.addDashboardRoutes(env)
        return (router, registry)
    }

    /// The mutual-TLS application, with the local listener (`ServerConfiguration.localPort`) as one
    /// of its services; `onLocalListenerRunning` is told when that one listens.
    public static func make(
        _ env: BusEnvironment, tls: BusTLSMaterial, onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in },
        onLocalListenerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let (router, _) = makeRouter(env)
        let tlsConfiguration = try TLSSetup.channelConfiguration(
            material: tls, store: env.store, clock: env.clock, metrics: env.metrics, logger: env.logger)
        var services: [any Service] = [CheckpointService(env: env)]
        if let push = env.push { services.append(push) }
        if let local = try LocalListener.service(env, onServerRunning: onLocalListenerRunning) { services.append(local) }
        return Application(
            router: router,
            server: try .tls(.http1(configuration: http1Configuration(env.configuration)), configuration: tlsConfiguration),
            configuration: .init(
                address: .hostname(env.configuration.host, port: env.configuration.port), serverName: "sharebus",
                availableConnectionsDelegate: .maximum(env.configuration.maxConnections, logger: env.logger)),
            services: services,
            onServerRunning: onServerRunning,
            logger: env.logger)
    }

    /// The connection limits of `ServerConfiguration` (docs/operations.md, "Limits"); the body size
    /// limit is applied where each route reads its body.
    static func http1Configuration(_ configuration: ServerConfiguration) -> HTTP1Channel.Configuration {
        HTTP1Channel.Configuration(
            additionalChannelHandlers: [ParserErrorResponder()],
            idleTimeout: configuration.idleTimeout.map { .seconds(Int64($0)) },
            httpDecoderConfiguration: .init(
                maxHeaderFieldSize: configuration.maxHeaderSize, maxHeaderListSize: configuration.maxHeaderSize, maxHeaderFieldCount: 100))
    }
}
