import Crypto
public import Foundation
import NIOHTTP1
public import ShareBusCore
public import ShareBusCrypto
public import X509

/// Builds the bodies of `POST /v1/envelopes` (protocol section 3) the way a department system
/// would, and broken ones the way a careless or hostile one would.
///
/// A good envelope is a flattened JWS whose protected header is `{"alg", "typ":
/// "sharebus-envelope+jws", "x5t#S256"}` for the signing key and certificate given here, over the
/// canonical JSON of the message. The broken variants change one thing at a time, so a test can
/// name the one check it expects to fail.
public struct EnvelopeBuilder: Sendable {
    public static let mediaType = "application/jose+json"
    public static let envelopeType = "sharebus-envelope+jws"

    public let signer: JWSSigner
    /// DER of the certificate named by `x5t#S256`.
    public let certificateDER: [UInt8]

    public init(signer: JWSSigner, certificateDER: [UInt8]) {
        self.signer = signer
        self.certificateDER = certificateDER
    }

    /// Signs with a department's TLS credential: its P-256 key and certificate.
    public init(credential: IssuedCredential) throws {
        let key = try P256.Signing.PrivateKey(pemRepresentation: credential.privateKeyPEM)
        self.init(signer: .p256(key), certificateDER: credential.certificate.derBytes)
    }

    /// Signs with the `key.pem` and `cert.pem` that `dept add` wrote into `directory`.
    public init(departmentDirectory directory: String) throws {
        let key = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOfFile: directory + "/key.pem", encoding: .utf8))
        let certificate = try Certificate(pemEncoded: String(contentsOfFile: directory + "/cert.pem", encoding: .utf8))
        self.init(signer: .p256(key), certificateDER: certificate.derBytes)
    }

    /// `x5t#S256` of the certificate.
    public var thumbprint: String { JWS.x5tS256(of: certificateDER) }

    /// The protected header a good envelope carries, as JSON, with `alg` following the key.
    public var header: JSONValue {
        .object([
            JWSHeader.algorithmKey: .string(signer.algorithm.rawValue),
            JWSHeader.thumbprintKey: .string(thumbprint),
            JWSHeader.typeKey: .string(Self.envelopeType),
        ])
    }

    // MARK: Messages

    /// A message object: `{"id", "sender", "resource", "createdAt", "operations"}`.
    public static func message(
        id: UUID = UUID(), sender: String, resource: String, createdAt: Date = Date(), operations: [JSONValue]
    ) -> JSONValue {
        .object([
            "id": .string(id.uuidString.lowercased()),
            "sender": .string(sender),
            "resource": .string(resource),
            "createdAt": .string(Timestamp.format(createdAt)),
            "operations": .array(operations),
        ])
    }

    public static func upsert(_ record: [String: JSONValue]) -> JSONValue {
        .object(["op": .string("upsert"), "record": .object(record)])
    }

    public static func delete(_ key: String) -> JSONValue {
        .object(["op": .string("delete"), "key": .string(key)])
    }

    // MARK: Good envelopes

    /// The envelope body for `message`, its payload being the message's canonical JSON.
    public func envelope(_ message: JSONValue) throws -> [UInt8] {
        try envelope(payload: CanonicalJSON.serialize(message))
    }

    /// The envelope body for a message made of these parts.
    public func envelope(
        id: UUID = UUID(), sender: String, resource: String, createdAt: Date = Date(), operations: [JSONValue]
    ) throws -> [UInt8] {
        try envelope(Self.message(id: id, sender: sender, resource: resource, createdAt: createdAt, operations: operations))
    }

    /// A correctly signed envelope over any payload bytes (not JSON, not an object, ...).
    public func envelope(payload: [UInt8]) throws -> [UInt8] {
        try signed(headerBytes: CanonicalJSON.serialize(header), payload: payload).encoded()
    }

    /// Signed through `JWSSigner.sign(payload:header:)`, e.g. with the deprecated `EdDSA` name.
    public func envelope(jwsHeader: JWSHeader, payload: [UInt8]) throws -> [UInt8] {
        try signer.sign(payload: payload, header: jwsHeader).encoded()
    }

    // MARK: Broken envelopes

    /// Correctly signed with this key, but under a caller-made protected header (`alg` none,
    /// `HS256`, another `typ`, no `x5t#S256`, a thumbprint of another certificate, ...).
    public func envelope(header: JSONValue, payload: [UInt8]) throws -> [UInt8] {
        try signed(headerBytes: CanonicalJSON.serialize(header), payload: payload).encoded()
    }

    /// `header` with `edit` applied, as JSON.
    public func header(_ edit: (inout [String: JSONValue]) -> Void) -> JSONValue {
        var members = header.objectValue ?? [:]
        edit(&members)
        return .object(members)
    }

    /// Signed with this key over exactly these protected header bytes.
    public func signed(headerBytes: [UInt8], payload: [UInt8]) throws -> FlattenedJWS {
        let protectedB64 = Base64URL.encode(headerBytes)
        let payloadB64 = Base64URL.encode(payload)
        let input = Array("\(protectedB64).\(payloadB64)".utf8)
        let signature: [UInt8]
        switch signer {
        case .p256(let key): signature = Array(try key.signature(for: input).rawRepresentation)
        case .ed25519(let key): signature = Array(try key.signature(for: input))
        }
        return FlattenedJWS(protected: protectedB64, payload: payloadB64, signature: Base64URL.encode(signature))
    }

    /// `body` (a flattened JWS) with one bit of its signature flipped.
    public static func tamperingSignature(_ body: [UInt8]) throws -> [UInt8] {
        try editingSignature(body) { signature in signature[signature.count / 2] ^= 0x01 }
    }

    /// `body` with its raw ES256 `r||s` signature re-encoded as an ASN.1 DER ECDSA signature,
    /// the form RFC 7518 section 3.4 rules out (and the one many libraries produce by default).
    public static func derEncodingSignature(_ body: [UInt8]) throws -> [UInt8] {
        try editingSignature(body) { signature in
            if let raw = try? P256.Signing.ECDSASignature(rawRepresentation: signature) {
                signature = Array(raw.derRepresentation)
            }
        }
    }

    /// `body` with the decoded signature changed by `edit`.
    public static func editingSignature(_ body: [UInt8], _ edit: (inout [UInt8]) -> Void) throws -> [UInt8] {
        try editing(body) { members in
            guard var signature = members["signature"]?.stringValue.flatMap({ Base64URL.decode($0) }) else { return }
            edit(&signature)
            members["signature"] = .string(Base64URL.encode(signature))
        }
    }

    /// `body`, a JSON object, with its members changed by `edit` (remove one, add one, make one a number...).
    public static func editing(_ body: [UInt8], _ edit: (inout [String: JSONValue]) -> Void) throws -> [UInt8] {
        guard var members = try StrictJSON.parse(body).objectValue else {
            throw ShareBusError(.malformedJWS, "the body to edit is not a JSON object")
        }
        edit(&members)
        return try CanonicalJSON.serialize(.object(members))
    }
}

/// A bus-signed JWS (receipt, delivery, evidence, checkpoint) whose signature has been checked.
public struct VerifiedBusJWS: Sendable {
    public let header: JWSHeader
    /// The decoded payload bytes, exactly as signed.
    public let payloadBytes: [UInt8]
    public let payload: JSONValue
}

public enum BusReply {
    /// Parses `body` as a flattened JWS, checks it is signed by `certificate` (the bus signing
    /// certificate, also named by `x5t#S256`) and, if given, that its `typ` is `type`.
    public static func verify(_ body: [UInt8], certificate: Certificate, type: String? = nil) throws -> VerifiedBusJWS {
        let parsed = try JWS.parse(body, expectedType: type)
        guard JWS.verify(parsed, certificate: certificate) else {
            throw ShareBusError(.badSignature, "the reply is not signed by the bus signing certificate")
        }
        let payload: JSONValue
        do {
            payload = try StrictJSON.parse(parsed.payload)
        } catch {
            throw ShareBusError(.malformedMessage, "the signed payload is not JSON: \(error)")
        }
        return VerifiedBusJWS(header: parsed.header, payloadBytes: parsed.payload, payload: payload)
    }
}

extension TestBus {
    /// `body` verified with this bus's signing certificate; see `BusReply.verify`.
    public func verifyReply(_ body: [UInt8], type: String? = nil) throws -> VerifiedBusJWS {
        try BusReply.verify(body, certificate: pki.busSigning.certificate, type: type)
    }
}

extension TestClient {
    /// `POST /v1/envelopes` with `body` as `application/jose+json`.
    public func push(_ body: [UInt8]) async throws -> Reply {
        try await request(.POST, "/v1/envelopes", body: body, contentType: EnvelopeBuilder.mediaType)
    }
}
