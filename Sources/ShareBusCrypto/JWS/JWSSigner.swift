public import Crypto
import ShareBusCore
public import X509

/// A private key that signs sharebus JWS: P-256 (ES256, what the bus itself uses) or Ed25519.
public enum JWSSigner: Sendable {
    case p256(P256.Signing.PrivateKey)
    case ed25519(Curve25519.Signing.PrivateKey)

    /// The `alg` written for this key. Ed25519 keys use the fully specified name `Ed25519`.
    public var algorithm: JWSAlgorithm {
        switch self {
        case .p256: .es256
        case .ed25519: .ed25519
        }
    }

    public var publicKey: Certificate.PublicKey {
        switch self {
        case .p256(let key): Certificate.PublicKey(key.publicKey)
        case .ed25519(let key): Certificate.PublicKey(key.publicKey)
        }
    }

    /// Signs `payload` with a header naming `typ` and the certificate (by `x5t#S256`).
    /// The header JSON is written with sorted keys and no whitespace.
    public func sign(payload: [UInt8], typ: String, certificateDER: [UInt8]) throws -> FlattenedJWS {
        try sign(payload: payload, header: JWSHeader(algorithm: algorithm, certificateThumbprint: JWS.x5tS256(of: certificateDER), type: typ))
    }

    /// Signs with a caller-built header; its `raw` JSON is what gets protected. Callers use this to
    /// write the deprecated `EdDSA` name or extra header members.
    public func sign(payload: [UInt8], header: JWSHeader) throws -> FlattenedJWS {
        guard header.algorithm.isEd25519 == (algorithm == .ed25519) else {
            throw ShareBusError(.invalidJWSHeader, "\"alg\" \(header.algorithm.rawValue) does not match a \(algorithm.rawValue) key")
        }
        let protectedB64 = Base64URL.encode(try CanonicalJSON.serialize(header.raw))
        let payloadB64 = Base64URL.encode(payload)
        let input = JWS.signingInput(protectedB64: protectedB64, payloadB64: payloadB64)
        let signature: [UInt8]
        switch self {
        case .p256(let key):
            signature = Array(try key.signature(for: input).rawRepresentation)
        case .ed25519(let key):
            signature = Array(try key.signature(for: input))
        }
        return FlattenedJWS(protected: protectedB64, payload: payloadB64, signature: Base64URL.encode(signature))
    }
}
