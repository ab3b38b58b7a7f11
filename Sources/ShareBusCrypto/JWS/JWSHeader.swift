public import ShareBusCore

/// A decoded and checked JWS protected header.
public struct JWSHeader: Sendable, Hashable {
    public var algorithm: JWSAlgorithm
    /// `x5t#S256`: base64url SHA-256 of the signer's certificate DER, exactly as written.
    public var certificateThumbprint: String
    /// `typ`, e.g. `sharebus-envelope+jws`.
    public var type: String
    /// The whole decoded header object, members the bus does not use included.
    public var raw: JSONValue

    public static let algorithmKey = "alg"
    public static let thumbprintKey = "x5t#S256"
    public static let typeKey = "typ"

    /// Parses the decoded bytes of the `protected` member.
    /// Throws `invalid-jws-header` for anything that is not a usable sharebus header.
    public init(decoding bytes: [UInt8]) throws {
        let value: JSONValue
        do {
            value = try StrictJSON.parse(bytes)
        } catch {
            throw ShareBusError(.invalidJWSHeader, "protected header is not valid JSON: \(error)")
        }
        guard case .object(let members) = value else {
            throw ShareBusError(.invalidJWSHeader, "protected header is not a JSON object")
        }
        // We implement no extension that could be marked critical, so RFC 7515 4.1.11 says reject.
        if members["crit"] != nil {
            throw ShareBusError(.invalidJWSHeader, "\"crit\" is not supported")
        }
        // b64=false (RFC 7797) would change the signing input; it is only valid together with crit,
        // but refuse it outright so no reader can disagree about what was signed.
        if members["b64"] != nil {
            throw ShareBusError(.invalidJWSHeader, "\"b64\" is not supported")
        }
        guard let algValue = members[Self.algorithmKey] else {
            throw ShareBusError(.invalidJWSHeader, "missing \"alg\"")
        }
        guard case .string(let algName) = algValue else {
            throw ShareBusError(.invalidJWSHeader, "\"alg\" must be a string")
        }
        guard let algorithm = JWSAlgorithm(rawValue: algName) else {
            throw ShareBusError(.invalidJWSHeader, "unsupported \"alg\" \"\(algName)\" (accepted: ES256, Ed25519, EdDSA)")
        }
        guard let thumbValue = members[Self.thumbprintKey] else {
            throw ShareBusError(.invalidJWSHeader, "missing \"x5t#S256\"")
        }
        guard case .string(let thumbprint) = thumbValue, let digest = Base64URL.decode(thumbprint), digest.count == 32 else {
            throw ShareBusError(.invalidJWSHeader, "\"x5t#S256\" must be the base64url SHA-256 (32 bytes) of a certificate")
        }
        guard let typValue = members[Self.typeKey] else {
            throw ShareBusError(.invalidJWSHeader, "missing \"typ\"")
        }
        guard case .string(let type) = typValue, !type.isEmpty else {
            throw ShareBusError(.invalidJWSHeader, "\"typ\" must be a non-empty string")
        }
        self.algorithm = algorithm
        self.certificateThumbprint = thumbprint
        self.type = type
        self.raw = value
    }

    /// The header the bus writes: only `alg`, `typ` and `x5t#S256`.
    public init(algorithm: JWSAlgorithm, certificateThumbprint: String, type: String) {
        self.algorithm = algorithm
        self.certificateThumbprint = certificateThumbprint
        self.type = type
        self.raw = .object([
            Self.algorithmKey: .string(algorithm.rawValue),
            Self.thumbprintKey: .string(certificateThumbprint),
            Self.typeKey: .string(type),
        ])
    }

    /// The certificate thumbprint as raw digest bytes.
    public var certificateSHA256: [UInt8] { Base64URL.decode(certificateThumbprint) ?? [] }
}
