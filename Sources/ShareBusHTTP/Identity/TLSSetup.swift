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
public enum TLSSetup {
    public static func channelConfiguration(
        material: BusTLSMaterial, store: any ShareBusStore, clock: any BusClock, metrics: BusMetrics = .disabled, logger: Logger
    ) throws -> TLSChannelConfiguration {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(material.serverCertificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(material.serverKeyPEM.utf8), format: .pem)))
        tls.minimumTLSVersion = .tlsv12
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
