/// The JWS `alg` values the bus accepts (protocol section 3). Anything else, `none` included, is
/// refused when the header is parsed.
public enum JWSAlgorithm: String, Sendable, Hashable, CaseIterable, Codable {
    /// ECDSA P-256 with SHA-256, signature as the 64-byte raw `r||s` (RFC 7518 section 3.4).
    case es256 = "ES256"
    /// Ed25519, the fully specified name of RFC 9864.
    case ed25519 = "Ed25519"
    /// RFC 8037's older, deprecated name; accepted as the same algorithm with an Ed25519 key.
    case edDSA = "EdDSA"

    /// Whether the signature is Ed25519, whichever name the header used.
    public var isEd25519: Bool { self != .es256 }
}
