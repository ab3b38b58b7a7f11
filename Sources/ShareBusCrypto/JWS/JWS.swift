import Crypto
import ShareBusCore
public import X509

/// Parsing and verification of JWS in flattened JSON serialization (protocol section 3).
public enum JWS {
    static let members: Set<String> = ["protected", "payload", "signature"]

    /// Checks the form and the protected header of a request body.
    ///
    /// Throws `malformed-jws` when the body is not exactly an object of the three string members
    /// with canonical base64url values, and `invalid-jws-header` when the header is unusable or,
    /// if `expectedType` is given, has another `typ`.
    public static func parse(_ body: [UInt8], expectedType: String? = nil) throws -> ParsedJWS {
        let value: JSONValue
        do {
            value = try StrictJSON.parse(body)
        } catch {
            throw ShareBusError(.malformedJWS, "body is not valid JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw ShareBusError(.malformedJWS, "body is not a JSON object")
        }
        if object["header"] != nil {
            throw ShareBusError(.malformedJWS, "unprotected \"header\" is not allowed; put every parameter in \"protected\"")
        }
        if object["signatures"] != nil {
            throw ShareBusError(.malformedJWS, "general JSON serialization is not accepted; send the flattened form")
        }
        let extra = Set(object.keys).subtracting(members).sorted()
        guard extra.isEmpty else {
            throw ShareBusError(.malformedJWS, "unexpected member(s): \(extra.joined(separator: ", "))")
        }
        func string(_ name: String) throws -> String {
            guard let member = object[name] else { throw ShareBusError(.malformedJWS, "missing \"\(name)\"") }
            guard case .string(let s) = member else { throw ShareBusError(.malformedJWS, "\"\(name)\" must be a string") }
            return s
        }
        func decoded(_ name: String, _ text: String) throws -> [UInt8] {
            guard let bytes = Base64URL.decode(text) else {
                throw ShareBusError(.malformedJWS, "\"\(name)\" is not unpadded base64url")
            }
            return bytes
        }
        let protectedB64 = try string("protected")
        let payloadB64 = try string("payload")
        let signatureB64 = try string("signature")
        let headerBytes = try decoded("protected", protectedB64)
        let payload = try decoded("payload", payloadB64)
        let signature = try decoded("signature", signatureB64)
        guard !headerBytes.isEmpty else { throw ShareBusError(.malformedJWS, "\"protected\" is empty") }
        guard !signature.isEmpty else { throw ShareBusError(.malformedJWS, "\"signature\" is empty") }

        let header = try JWSHeader(decoding: headerBytes)
        if let expectedType, header.type != expectedType {
            throw ShareBusError(.invalidJWSHeader, "\"typ\" is \"\(header.type)\", expected \"\(expectedType)\"")
        }
        return ParsedJWS(header: header, protectedB64: protectedB64, payloadB64: payloadB64, payload: payload, signature: signature)
    }

    /// Whether `parsed` carries a valid signature by `publicKey` under the header's `alg`.
    ///
    /// ES256 needs a P-256 key and a 64-byte `r||s` signature (a DER-encoded ECDSA signature is
    /// refused); Ed25519 and EdDSA need an Ed25519 key. A key of any other type never verifies.
    public static func verify(_ parsed: ParsedJWS, publicKey: Certificate.PublicKey) -> Bool {
        guard parsed.signature.count == 64 else { return false }
        switch parsed.header.algorithm {
        case .es256:
            guard let key = P256.Signing.PublicKey(publicKey),
                let signature = try? P256.Signing.ECDSASignature(rawRepresentation: parsed.signature)
            else { return false }
            return key.isValidSignature(signature, for: parsed.signingInput)
        case .ed25519, .edDSA:
            guard let key = Curve25519.Signing.PublicKey(publicKey) else { return false }
            return key.isValidSignature(parsed.signature, for: parsed.signingInput)
        }
    }

    /// Like `verify(_:publicKey:)`, and also requires the header's `x5t#S256` to name `certificate`.
    public static func verify(_ parsed: ParsedJWS, certificate: Certificate) -> Bool {
        guard parsed.header.certificateThumbprint == x5tS256(of: certificate.derBytes) else { return false }
        return verify(parsed, publicKey: certificate.publicKey)
    }

    /// `x5t#S256` of a certificate: base64url of the SHA-256 of its DER.
    public static func x5tS256(of certificateDER: [UInt8]) -> String {
        Base64URL.encode(SHA256.hash(data: certificateDER))
    }

    static func signingInput(protectedB64: String, payloadB64: String) -> [UInt8] {
        Array(protectedB64.utf8) + [UInt8(ascii: ".")] + Array(payloadB64.utf8)
    }
}
