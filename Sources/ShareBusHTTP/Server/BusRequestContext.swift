public import Hummingbird
public import NIOCore
public import ShareBusCore
import Logging

/// The request context: Hummingbird's core storage, the channel (to read the TLS peer), and the
/// caller once `ClientIdentityMiddleware` has established it.
public struct BusRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel
    /// The verified caller; nil only before the identity middleware ran.
    public var principal: Principal?
    /// The calling department, when the caller is one.
    public var department: Department?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Bodies are read with an explicit limit by each route; this is the framework's ceiling.
    public var maxUploadSize: Int { 4 * 1024 * 1024 }

    /// The authenticated caller; routes run behind the identity middleware, so this never fails there.
    public func caller() throws -> Principal {
        guard let principal else { throw ShareBusError(.unauthenticated, "no verified client certificate") }
        return principal
    }
}
