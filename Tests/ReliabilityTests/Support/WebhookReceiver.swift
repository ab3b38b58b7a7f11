import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ShareBusCrypto
import ShareBusTesting
import Synchronization
import X509

/// A webhook endpoint in the test process: HTTPS with mutual TLS on 127.0.0.1, its server certificate from a
/// test CA (which the bus is told to trust with `--webhook-ca`), client certificates checked against the
/// platform CA. It answers 200 to every delivery and keeps the bodies.
final class WebhookReceiver: Sendable {
    private let bodies = Mutex<[[UInt8]]>([])
    private let server = Mutex<(any Channel)?>(nil)
    let port: Int
    /// The PEM file of the CA that issued the receiver's server certificate.
    let caFile: String

    var url: String { "https://127.0.0.1:\(port)/hook" }
    var received: [[UInt8]] { bodies.withLock { $0 } }

    private init(port: Int, caFile: String) {
        self.port = port
        self.caFile = caFile
    }

    /// Listens on a free port; `platformCAFile` is the `ca.pem` whose certificates the bus presents.
    static func start(platformCAFile: String, in folder: URL) async throws -> WebhookReceiver {
        let sink = Sink()
        let (channel, caFile) = try await WebhookServer.bind(clientCAFile: platformCAFile, in: folder) { Handler(sink: sink) }
        let receiver = WebhookReceiver(port: channel.localAddress?.port ?? 0, caFile: caFile)
        receiver.server.withLock { $0 = channel }
        sink.target.withLock { $0 = receiver }
        return receiver
    }

    func stop() async {
        let channel = server.withLock { $0 }
        try? await channel?.close()
    }

    /// Lets connection handlers reach the receiver, which exists only once the port is bound.
    private final class Sink: Sendable {
        let target = Mutex<WebhookReceiver?>(nil)
    }

    fileprivate func record(_ body: [UInt8]) { bodies.withLock { $0.append(body) } }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let sink: Sink
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(sink: Sink) { self.sink = sink }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
            case .body(var buffer):
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                guard let head else { return }
                sink.target.withLock { $0 }?.record(body)
                var headers = HTTPHeaders()
                headers.add(name: "content-length", value: "0")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}

extension WebhookReceiver {
    /// Every message received so far, signatures verified with the bus certificate.
    func messages(busCertificate: X509.Certificate) throws -> [History.Message] {
        try received.flatMap { body in
            try Observation.messages(try BusReply.verify(body, certificate: busCertificate, type: BusSigner.deliveryType).payload)
        }
    }

    /// Waits until the receiver holds every sequence 1...head, or `timeout` passes; answers what it holds.
    func waitForAll(upTo head: Int64, busCertificate: X509.Certificate, timeout: Duration) async throws -> [History.Message] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let messages = try self.messages(busCertificate: busCertificate)
            if Set(messages.map(\.sequence)).isSuperset(of: head < 1 ? [] : Set(1...head)) || ContinuousClock.now >= deadline { return messages }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
