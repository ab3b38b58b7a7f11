public import ShareBusCore
public import X509

/// The outcome of checking a TLS client certificate.
public enum ClientVerification: Sendable, Hashable {
    /// The chain leads to the platform CA, nothing in it is expired or revoked, the leaf is for
    /// client authentication and names exactly one principal.
    case valid(principal: Principal, certificate: Certificate)
    /// Why the certificate was refused, for logs and the problem `detail`.
    case invalid(reason: String)

    /// Reasons starting with this mean a certificate in the chain is revoked.
    public static let revokedPrefix = "certificate revoked"

    public var principal: Principal? {
        if case .valid(let principal, _) = self { return principal }
        return nil
    }

    /// The problem code to answer when the certificate is refused: `certificate-revoked` for a
    /// revoked one, `unauthenticated` otherwise; nil when valid.
    public var problemCode: ProblemCode? {
        switch self {
        case .valid: nil
        case .invalid(let reason): reason.hasPrefix(Self.revokedPrefix) ? .certificateRevoked : .unauthenticated
        }
    }
}
