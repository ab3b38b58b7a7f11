public import Foundation
public import NIOCore
import NIOHTTP1
import NIOPosix
public import NIOSSL

/// The HTTPS server under every test webhook: a server certificate for localhost and 127.0.0.1
/// issued by `issuer`'s CA, client certificates required and checked against `clientRoots` (the
/// platform CA whose certificates the bus presents when it pushes), HTTP/1.1, and a fresh
/// `handler()` at the end of each connection's pipeline.
public enum WebhookServer {
    public static func bind(
        issuer: TestPKI, clientRoots: [NIOSSLCertificate], port: Int = 0,
        handler: @escaping @Sendable () -> any ChannelHandler
    ) async throws -> any Channel {
        let credential = try issuer.ca.issueP256(
            profile: .server(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"]), now: Date(), validityDays: 2)
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(credential.certificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(credential.privateKeyPEM.utf8), format: .pem)))
        tls.certificateVerification = .noHostnameVerification
        tls.trustRoots = .certificates(clientRoots)
        let context = try NIOSSLContext(configuration: tls)
        return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(handler())
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
    }

    /// `bind` with a CA of its own, written to a new file in `folder` for the bus's `--webhook-ca`:
    /// the server, and that file's path.
    public static func bind(
        clientCAFile: String, in folder: URL, handler: @escaping @Sendable () -> any ChannelHandler
    ) async throws -> (channel: any Channel, caFile: String) {
        let pki = try TestPKI()
        let caFile = folder.appendingPathComponent("webhook-ca-\(UUID().uuidString).pem").path
        try Data(pki.ca.certificatePEM.utf8).write(to: URL(fileURLWithPath: caFile))
        let channel = try await bind(issuer: pki, clientRoots: try NIOSSLCertificate.fromPEMFile(clientCAFile), handler: handler)
        return (channel, caFile)
    }
}
