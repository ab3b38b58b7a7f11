import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import ShareBusCore

/// The bus's own TLS client credential for push delivery, and the roots it trusts.
public struct PushCredential: Sendable {
    /// The bus client certificate (EKU clientAuth, SAN `urn:sharebus:bus`), PEM.
    public var certificatePEM: String
    public var privateKeyPEM: String
    /// The platform CA, trusted for webhook servers besides the configured roots.
    public var platformCAPEM: String

    public init(certificatePEM: String, privateKeyPEM: String, platformCAPEM: String) {
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
        self.platformCAPEM = platformCAPEM
    }
}

/// How one POST to a webhook went.
public enum PushResult: Sendable, Hashable {
    /// The webhook answered 2xx.
    case delivered(status: Int)
    /// Anything else, said in a line that carries no record values.
    case failed(String)
}

/// Sends delivery bodies to webhooks: a bounded connection pool, mutual TLS with the bus client
/// certificate, no redirects (a 3xx is a failure: following one would skip the address check),
/// and the webhook policy checked against the host's addresses before every attempt.
public protocol PushTransport: Sendable {
    func post(_ body: [UInt8], to url: String) async -> PushResult
}

public final class PushClient: PushTransport {
    let http: HTTPClient
    let webhooks: WebhookGuard
    let requestTimeout: TimeInterval

    public init(credential: PushCredential, configuration: DeliveryConfiguration, webhooks: WebhookGuard) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        // A webhook that hangs does not answer our close_notify either: give up on it soon, or
        // its connections hold the host's pool slots for NIOSSL's default 5 s after each timeout.
        tls.shutdownTimeout = .milliseconds(500)
        tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(credential.certificatePEM.utf8)).map { .certificate($0) }
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(credential.privateKeyPEM.utf8), format: .pem))
        var roots = try NIOSSLCertificate.fromPEMBytes(Array(credential.platformCAPEM.utf8))
        for pem in configuration.extraTrustRootsPEM { roots += try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)) }
        if configuration.trustSystemRoots {
            tls.trustRoots = .default
            tls.additionalTrustRoots = [.certificates(roots)]
        } else {
            tls.trustRoots = .certificates(roots)
        }
        var http = HTTPClient.Configuration(tlsConfiguration: tls)
        http.redirectConfiguration = .disallow
        http.decompression = .disabled
        http.timeout = .init(
            connect: .milliseconds(Int64(configuration.connectTimeout * 1000)), read: .milliseconds(Int64(configuration.requestTimeout * 1000)))
        http.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, configuration.maxConnectionsPerHost))
        // A refused connection is one failed attempt, retried on the delivery schedule, not in the pool.
        http.connectionPool.retryConnectionEstablishment = false
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
        self.webhooks = webhooks
        requestTimeout = configuration.requestTimeout
    }

    public func shutdown() async {
        try? await http.shutdown()
    }

    public func post(_ body: [UInt8], to url: String) async -> PushResult {
        do {
            _ = try await webhooks.checkConnection(url)
        } catch let error as ShareBusError {
            return .failed("refused before connecting: \(error.detail)")
        } catch {
            return .failed("refused before connecting: \(error)")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/jose+json")
        request.headers.add(name: "User-Agent", value: "sharebus-push/1")
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await http.execute(request, deadline: .now() + .milliseconds(Int64(requestTimeout * 1000)))
            // Read and drop the answer (up to 64 KiB) so the connection can go back to the pool.
            var read = 0
            for try await part in response.body {
                read += part.readableBytes
                if read > 64 * 1024 { break }
            }
            let status = Int(response.status.code)
            return (200..<300).contains(status) ? .delivered(status: status) : .failed("HTTP \(status)")
        } catch {
            return .failed(Self.describe(error))
        }
    }

    /// A short reason for the queue view and the audit log.
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout: return "timed out waiting for the answer"
            case .connectTimeout: return "timed out connecting"
            case .tlsHandshakeTimeout: return "timed out in the TLS handshake"
            case .remoteConnectionClosed: return "the webhook closed the connection"
            case .getConnectionFromPoolTimeout: return "timed out waiting for a free connection to the webhook host"
            default: return "\(error)"
            }
        }
        if let error = error as? NIOSSLError { return "TLS: \(error)" }
        if let error = error as? BoringSSLError { return "TLS: \(error)" }
        let text = "\(error)"
        if text.localizedCaseInsensitiveContains("refused") { return "connection refused" }
        return text
    }
}
