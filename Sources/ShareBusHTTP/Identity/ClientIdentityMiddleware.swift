import Foundation
public import Hummingbird
import NIOCore
import NIOSSL
public import ShareBusCore
import ShareBusCrypto
public import ShareBusStore

/// Establishes the caller from the verified TLS client certificate, on every request.
///
/// The handshake already checked the chain and revocation; checking the stored certificate again per
/// request makes a revocation or a suspension bite on connections that were open before it.
public struct ClientIdentityMiddleware: RouterMiddleware {
    public typealias Context = BusRequestContext
    let store: any ShareBusStore
    let clock: any BusClock

    public init(store: any ShareBusStore, clock: any BusClock) {
        self.store = store
        self.clock = clock
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        let der = try await Self.peerCertificateDER(context.channel)
        guard let der else { throw ShareBusError(.unauthenticated, "the request carries no client certificate") }
        let fingerprint = CertificateFingerprint.sha256Hex(der)
        // The stored certificate and its department, read on every request. Not cached: `sharebus pki
        // revoke` and `sharebus dept suspend` write the store from another process, which a cache would
        // see only at its next look at the file, and both must bite on the very next request.
        let identity = try await store.identity(fingerprint: fingerprint)
        guard let record = identity.certificate, record.kind == .client else {
            throw ShareBusError(.unauthenticated, "the client certificate was not issued to a department or operator of this bus")
        }
        if record.revokedAt != nil {
            throw ShareBusError(.certificateRevoked, "the client certificate \(record.serial) has been revoked")
        }
        guard record.isCurrent(at: clock.now()) else {
            throw ShareBusError(.unauthenticated, "the client certificate \(record.serial) is not valid at this time")
        }
        guard let principal = Principal(uri: record.principal) else {
            throw ShareBusError(.unauthenticated, "the client certificate names no department or operator")
        }
        context.principal = principal
        if case .department(let id) = principal {
            guard let department = identity.department else {
                throw ShareBusError(.unauthenticated, "department \(id) is not registered")
            }
            if department.status == .suspended {
                throw ShareBusError(.departmentSuspended, "department \(id) is suspended")
            }
            context.department = department
        }
        context.logger[metadataKey: "caller"] = "\(principal)"
        return try await next(request, context)
    }

    /// The DER of the peer's certificate, from this channel or, for an HTTP/2 stream, its parent.
    static func peerCertificateDER(_ channel: any Channel) async throws -> [UInt8]? {
        var current: (any Channel)? = channel
        while let candidate = current {
            // A channel without a TLS handler fails the future; look at its parent then.
            if let certificate = try? await candidate.nioSSL_peerCertificate().get() {
                return try certificate.toDERBytes()
            }
            current = candidate.parent
        }
        return nil
    }
}
