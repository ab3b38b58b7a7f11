public import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A webhook in the test process for buses run as separate processes: HTTPS with mutual TLS on
/// 127.0.0.1, its server certificate from a CA of its own (`caFile`, which the bus is told to
/// trust with `--webhook-ca`), client certificates checked against the platform CA the bus
/// presents. It answers 200 to every request after a hold the test sets, and records each
/// request with the process that opened its connection (found through `/proc`, see
/// `SocketOwner`) and the times it was open, so that a test can tell which node delivered and
/// whether deliveries overlapped, and can keep a request open while it kills its sender.
public final class WebhookEndpoint: Sendable {
    /// One request: from its head arriving to its answer being written (or its connection closing).
    public struct Request: Sendable {
        public let body: [UInt8]
        /// Whether the whole request arrived (false: its connection closed part-way).
        public let complete: Bool
        /// The process on this host whose socket made the request; nil when it could not be told.
        public let sender: Int32?
        public let started: ContinuousClock.Instant
        public let answered: ContinuousClock.Instant
    }

    struct State {
        var hold: Duration
        var requests: [Request] = []
        var inFlight = 0
        var mostInFlight = 0
    }

    let state: Mutex<State>
    private let server: any Channel
    public let port: Int
    /// The PEM file of the CA that issued the endpoint's server certificate.
    public let caFile: String
    public var url: String { "https://127.0.0.1:\(port)/hook" }

    private init(server: any Channel, caFile: String, hold: Duration) {
        state = Mutex(State(hold: hold))
        self.server = server
        port = server.localAddress?.port ?? 0
        self.caFile = caFile
    }

    /// Listens on a free port of 127.0.0.1. `clientCAFile` is the `ca.pem` whose certificates the
    /// bus presents; the endpoint's own CA is written to a new file in `folder`.
    public static func start(clientCAFile: String, in folder: URL, hold: Duration = .zero) async throws -> WebhookEndpoint {
        let handle = Handle()
        let (channel, caFile) = try await WebhookServer.bind(clientCAFile: clientCAFile, in: folder) { Handler(endpoint: handle) }
        let endpoint = WebhookEndpoint(server: channel, caFile: caFile, hold: hold)
        handle.target.withLock { $0 = endpoint }
        return endpoint
    }

    /// Every request answered (or cut off) so far, in the order they arrived.
    public var requests: [Request] { state.withLock { $0.requests.sorted { $0.started < $1.started } } }

    /// The most requests that were open at one moment.
    public var mostInFlight: Int { state.withLock { $0.mostInFlight } }

    /// The requests open now (received, not yet answered).
    public var inFlight: Int { state.withLock { $0.inFlight } }

    /// How long requests that arrive from now on wait for their answer.
    public func hold(answersFor hold: Duration) { state.withLock { $0.hold = hold } }

    public func stop() async { try? await server.close() }

    /// Lets connection handlers reach the endpoint, which exists only once the port is bound.
    final class Handle: Sendable {
        let target = Mutex<WebhookEndpoint?>(nil)
    }

    func opened() {
        state.withLock { state in
            state.inFlight += 1
            state.mostInFlight = max(state.mostInFlight, state.inFlight)
        }
    }

    func closed(_ request: Request) {
        state.withLock { state in
            state.inFlight -= 1
            state.requests.append(request)
        }
    }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let endpoint: Handle
        var sender: Int32?
        var senderLooked = false
        var started: ContinuousClock.Instant?
        var complete = false
        var body: [UInt8] = []

        init(endpoint: Handle) { self.endpoint = endpoint }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head:
                if !senderLooked, let local = context.channel.localAddress?.port, let remote = context.channel.remoteAddress?.port {
                    senderLooked = true
                    sender = SocketOwner.process(clientPort: remote, serverPort: local)
                }
                started = .now
                complete = false
                body = []
                endpoint.target.withLock { $0 }?.opened()
            case .body(var buffer):
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                guard started != nil, let hold = endpoint.target.withLock({ $0 })?.state.withLock({ $0.hold }) else { return }
                complete = true
                let loop = context.eventLoop
                let context = NIOLoopBound(context, eventLoop: loop)
                let handler = NIOLoopBound(self, eventLoop: loop)
                let nanoseconds = hold.components.seconds * 1_000_000_000 + hold.components.attoseconds / 1_000_000_000
                loop.scheduleTask(in: .nanoseconds(nanoseconds)) {
                    handler.value.answer(context: context.value)
                }
            }
        }

        func answer(context: ChannelHandlerContext) {
            finish()
            var headers = HTTPHeaders()
            headers.add(name: "content-length", value: "0")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }

        /// Records the open request as over: answered, or its connection gone.
        func finish() {
            guard let started else { return }
            self.started = nil
            endpoint.target.withLock { $0 }?.closed(Request(body: body, complete: complete, sender: sender, started: started, answered: .now))
        }

        func channelInactive(context: ChannelHandlerContext) {
            finish()
            context.fireChannelInactive()
        }
    }
}
