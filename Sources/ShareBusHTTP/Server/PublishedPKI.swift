public import Foundation
import NIOConcurrencyHelpers
public import ShareBusCore
public import ShareBusCrypto
public import ShareBusStore

/// What the bus publishes of its PKI: the CA and bus-signing certificates, and a CRL that is made
/// anew whenever the set of revoked certificates changes.
public final class PublishedPKI: Sendable {
    public let ca: PlatformCA
    public let busSigningCertificatePEM: String
    private let cache = NIOLockedValueBox<(serials: [String], der: [UInt8], nextUpdate: Date)?>(nil)

    /// How long a CRL stays valid; it is remade on the first request after half of it has passed.
    static let crlValidity: TimeInterval = 24 * 3600

    public init(ca: PlatformCA, busSigningCertificatePEM: String) {
        self.ca = ca
        self.busSigningCertificatePEM = busSigningCertificatePEM
    }

    public var caCertificatePEM: String { ca.certificatePEM }

    /// The current DER CRL.
    public func crl(store: any ShareBusStore, now: Date) async throws -> [UInt8] {
        let revoked = try await store.revokedCertificates()
        let serials = revoked.map(\.serial)
        if let cached = cache.withLockedValue({ $0 }), cached.serials == serials,
            cached.nextUpdate.timeIntervalSince(now) > Self.crlValidity / 2
        {
            return cached.der
        }
        let number = try await store.nextCRLNumber()
        let nextUpdate = now + Self.crlValidity
        let der = try CRLBuilder.make(
            ca: ca, revoked: revoked.map { (serial: Self.bytes(hex: $0.serial), revokedAt: $0.revokedAt ?? now) },
            thisUpdate: now, nextUpdate: nextUpdate, crlNumber: number)
        cache.withLockedValue { $0 = (serials, der, nextUpdate) }
        return der
    }

    static func bytes(hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            if let byte = UInt8(hex[index..<next], radix: 16) { bytes.append(byte) }
            index = next
        }
        return bytes
    }
}
