import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// What a webhook has been given so far, for one phase: messages counted once each (delivery is at
/// least once, so a batch seen again after a failed answer is not counted twice), their end-to-end
/// lag (`sentAt` in the record → the batch in the webhook's hands) and the batches' sizes.
struct WebhookTally: Sendable {
    var messages = 0
    var batches = 0
    var duplicates = 0
    var refused = 0
    var firstAt: UInt64?
    var lastAt: UInt64?
    var lag = Latencies()
}

/// Takes the bus's deliveries: checks each one's signature with the bus key, counts the messages
/// past the highest sequence seen, and keeps their lag. Shared by the connections' handlers.
final class WebhookSink: Sendable {
    let busKey: P256.Signing.PublicKey
    private let state = Mutex<(highest: Int, tally: WebhookTally)>((0, WebhookTally()))

    init(busKey: P256.Signing.PublicKey) { self.busKey = busKey }

    /// One POSTed delivery; answers the status the webhook gives back (200, or 400 when it does not verify).
    func take(_ body: [UInt8]) -> HTTPResponseStatus {
        let at = nowNanos()
        let now = wallMicros()
        guard let payload = try? Wire.verifiedPayload(body, busKey: busKey), let messages = payload["messages"] as? [[String: Any]] else {
            state.withLock { $0.tally.refused += 1 }
            return .badRequest
        }
        let seen: [(Int, Int64)] = messages.compactMap { message in
            guard let sequence = (message["sequence"] as? NSNumber)?.intValue else { return nil }
            let sentAt = ((message["record"] as? [String: Any])?["sentAt"] as? NSNumber)?.int64Value ?? now
            return (sequence, sentAt)
        }
        state.withLock { state in
            state.tally.batches += 1
            for (sequence, sentAt) in seen {
                guard sequence > state.highest else {
                    state.tally.duplicates += 1
                    continue
                }
                state.highest = sequence
                state.tally.messages += 1
                state.tally.lag.record(micros: now - sentAt)
            }
            if state.tally.firstAt == nil { state.tally.firstAt = at }
            state.tally.lastAt = at
        }
        return .ok
    }

    var messages: Int { state.withLock { $0.tally.messages } }

    /// The tally so far, and a fresh one for the next phase.
    func takeTally() -> WebhookTally {
        state.withLock { state in
            defer { state.tally = WebhookTally() }
            return state.tally
        }
    }
}

/// An HTTPS/1.1 webhook on 127.0.0.1 with mutual TLS: it serves a certificate of the platform CA
/// and asks the caller (the bus's push client) for one of the same CA.
struct WebhookReceiver {
    let channel: any Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    static func start(certificate: String, key: String, caPEM: String, sink: WebhookSink) async throws -> WebhookReceiver {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(caPEM.utf8), format: .pem)])
        tls.certificateVerification = .noHostnameVerification
        let context = try NIOSSLContext(configuration: tls)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(WebhookHandler(sink: sink))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return WebhookReceiver(channel: channel)
    }

    func stop() async { try? await channel.close() }
}

/// One connection's requests: gathers the body, hands it to the sink, answers with an empty body.
final class WebhookHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let sink: WebhookSink
    private var body: [UInt8] = []

    init(sink: WebhookSink) { self.sink = sink }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            body.removeAll(keepingCapacity: true)
        case .body(let part):
            body += part.readableBytesView
        case .end:
            let status = sink.take(body)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Length", value: "0")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
