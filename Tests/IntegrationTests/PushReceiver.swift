import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ShareBusCrypto
import ShareBusTesting
import Synchronization
import X509

/// A webhook endpoint under test control: HTTPS with mutual TLS on 127.0.0.1, its server
/// certificate from the test PKI, client certificates checked against the test CA. It answers
/// 200, another status, or nothing at all (hang); `stop()` closes the port so connections are
/// refused. It records every request with the client certificate it saw.
final class PushReceiver: Sendable {
    enum Mode: Sendable {
        case ok
        case status(Int)
        case hang
    }

    struct Received: Sendable {
        let path: String
        let contentType: String?
        let body: [UInt8]
        let clientCertificate: Certificate?
        let at: ContinuousClock.Instant
    }

    private struct State {
        var mode: Mode = .ok
        var received: [Received] = []
        var connections: [any Channel] = []
    }

    private let state = Mutex(State())
    private let server: any Channel
    let port: Int

    var url: String { "https://127.0.0.1:\(port)/hook" }

    private init(server: any Channel, mode: Mode) {
        self.server = server
        port = server.localAddress?.port ?? 0
        state.withLock { $0.mode = mode }
    }

    /// Listens on `port` (0: a free one), answering as `mode` says.
    static func start(pki: TestPKI, port: Int = 0, mode: Mode = .ok) async throws -> PushReceiver {
        let handle = Handle()
        let channel = try await WebhookServer.bind(
            issuer: pki, clientRoots: [try NIOSSLCertificate(bytes: Array(pki.ca.certificatePEM.utf8), format: .pem)], port: port
        ) { Handler(receiver: handle) }
        let receiver = PushReceiver(server: channel, mode: mode)
        handle.target.withLock { $0 = receiver }
        return receiver
    }

    /// Lets the connection handlers reach the receiver, which exists only once the port is bound.
    final class Handle: Sendable {
        let target = Mutex<PushReceiver?>(nil)
    }

    func set(_ mode: Mode) { state.withLock { $0.mode = mode } }

    var received: [Received] { state.withLock { $0.received } }

    /// Waits until at least `count` requests have arrived; fails after `timeout`.
    func waitFor(_ count: Int, timeout: Duration = .seconds(15)) async throws -> [Received] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let received = self.received
            if received.count >= count { return received }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ShareBusTestFailure("the webhook received \(received.count) requests, not \(count), within \(timeout)")
    }

    /// Closes the port and every open connection: connecting is refused from now on.
    func stop() async {
        try? await server.close()
        let connections = state.withLock { state in
            defer { state.connections = [] }
            return state.connections
        }
        for connection in connections { try? await connection.close() }
    }

    fileprivate func record(_ received: Received, on channel: any Channel) -> Mode {
        state.withLock { state in
            state.received.append(received)
            state.connections.append(channel)
            return state.mode
        }
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let receiver: Handle
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(receiver: Handle) { self.receiver = receiver }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
            case .body(var buffer):
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                guard let head, let target = receiver.target.withLock({ $0 }) else { return }
                let peer = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self).peerCertificate
                let certificate = (try? peer?.toDERBytes()).flatMap { try? Certificate(derEncoded: $0) }
                let received = Received(
                    path: head.uri, contentType: head.headers.first(name: "content-type"), body: body, clientCertificate: certificate,
                    at: ContinuousClock.now)
                let status: Int
                switch target.record(received, on: context.channel) {
                case .ok: status = 200
                case .status(let code): status = code
                case .hang: return
                }
                var headers = HTTPHeaders()
                headers.add(name: "content-length", value: "0")
                context.write(
                    wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .init(statusCode: status), headers: headers))),
                    promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}

struct ShareBusTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
