import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// Many TLS connections to the bus that a client opens and then neglects: idle after the handshake, or
/// trickling a request head one byte at a time (slowloris). Counts how many the server has closed.
final class RawConnections: Sendable {
    private let channels = Mutex<[any Channel]>([])
    private let closed = Mutex(0)

    var opened: Int { channels.withLock { $0.count } }
    var closedCount: Int { closed.withLock { $0 } }

    /// Opens `count` connections presenting the given client certificate, completing each TLS handshake;
    /// with `trickle`, each then sends a request head a byte every `trickle` and never finishes it.
    func open(count: Int, port: Int, caFile: String, certificateFile: String, keyFile: String, trickle: Duration? = nil) async throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
        let context = try NIOSSLContext(configuration: tls)
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: "localhost"))
            }
        }
        for _ in 0..<count {
            let channel = try await bootstrap.connect(host: "127.0.0.1", port: port).get()
            channel.closeFuture.whenComplete { _ in self.closed.withLock { $0 += 1 } }
            channels.withLock { $0.append(channel) }
            if let trickle { Self.trickle(channel, every: trickle) }
        }
        // An empty write and flush drives each handshake to its end.
        for channel in channels.withLock({ $0 }) { channel.writeAndFlush(ByteBuffer(), promise: nil) }
    }

    private static func trickle(_ channel: any Channel, every interval: Duration) {
        let head = Array("GET /v1/resources HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 10_000)
        let position = NIOLockedValueBox(0)
        channel.eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: .init(interval)) { task in
            guard channel.isActive else { return task.cancel() }
            let index = position.withLockedValue { value in
                defer { value += 1 }
                return value
            }
            guard index < head.count else { return task.cancel() }
            channel.writeAndFlush(ByteBuffer(bytes: [head[index]]), promise: nil)
        }
    }

    /// Waits until the server has closed at least `count` of them, or `timeout` passes; answers how many it closed.
    func waitForClosed(_ count: Int, timeout: Duration) async -> Int {
        let deadline = ContinuousClock.now + timeout
        while closedCount < count, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(100)) }
        return closedCount
    }

    func closeAll() async {
        for channel in channels.withLock({ $0 }) { try? await channel.close() }
    }
}
