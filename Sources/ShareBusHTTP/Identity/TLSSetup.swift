import Foundation
public import HummingbirdTLS
public import NIOSSL
public import Logging
public import ShareBusCore
import ShareBusCrypto
public import ShareBusStore
public import ShareBusDelivery
import X509

/// The server's TLS: mutual, TLS 1.2 or 1.3, client certificates checked against the platform CA
/// and the live revocation list in the handshake itself.
///
/// TLS 1.0 and 1.1 are refused, and TLS 1.2 offers only forward-secret AEAD suites (ECDHE with
/// AES-GCM or ChaCha20-Poly1305): no CBC, RC4, 3DES, NULL, EXPORT, anonymous or static-RSA key
/// exchange. TLS 1.3's suites are fixed by BoringSSL to the three AEAD ones of RFC 8446
/// (TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256).
public enum TLSSetup {
    /// The lowest protocol version a client may negotiate.
    public static let minimumVersion = TLSVersion.tlsv12

    /// The TLS 1.2 cipher suites, in the server's order of preference.
    public static let tls12CipherSuites: [NIOTLSCipher] = [
        .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        .TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]

    public static func channelConfiguration(
        material: BusTLSMaterial, store: any ShareBusStore, clock: any BusClock, metrics: BusMetrics = .disabled, logger: Logger
    ) throws -> TLSChannelConfiguration {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(material.serverCertificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(material.serverKeyPEM.utf8), format: .pem)))
        tls.minimumTLSVersion = minimumVersion
        tls.cipherSuiteValues = tls12CipherSuites
        tls.certificateVerification = .noHostnameVerification
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(material.caCertificatePEM.utf8), format: .pem)])
        tls.applicationProtocols = ["http/1.1"]
        let verifier = ClientCertificateVerifier(caCertificate: try Certificate(pemEncoded: material.caCertificatePEM))
        return TLSChannelConfiguration(tlsConfiguration: tls) { chain in
            guard let leafCertificate = chain.first else {
                metrics.tlsHandshakeFailed(reason: "no-certificate")
                return .failed
            }
            do {
                let leaf = try Certificate(derEncoded: try leafCertificate.toDERBytes())
                let intermediates = try chain.dropFirst().map { try Certificate(derEncoded: try $0.toDERBytes()) }
                let result = await verifier.verify(leaf: leaf, intermediates: intermediates, now: clock.now()) { certificate in
                    let serial = certificate.serialHex
                    let record = try? await store.certificate(serial: serial)
                    return record?.revokedAt != nil
                }
                switch result {
                case .valid:
                    return .certificateVerified
                case .invalid(let reason):
                    logger.info("client certificate refused", metadata: ["tls.reason": "\(reason)"])
                    metrics.tlsHandshakeFailed(reason: reason.hasPrefix(ClientVerification.revokedPrefix) ? "revoked" : "invalid")
                    return .failed
                }
            } catch {
                logger.info("client certificate unreadable", metadata: ["tls.error": "\(error)"])
                metrics.tlsHandshakeFailed(reason: "unreadable")
                return .failed
            }
        }
    }
}

/// The PEM material the TLS listener needs.
public struct BusTLSMaterial: Sendable {
    public var caCertificatePEM: String
    public var serverCertificatePEM: String
    public var serverKeyPEM: String

    public init(caCertificatePEM: String, serverCertificatePEM: String, serverKeyPEM: String) {
        self.caCertificatePEM = caCertificatePEM
        self.serverCertificatePEM = serverCertificatePEM
        self.serverKeyPEM = serverKeyPEM
    }
}
