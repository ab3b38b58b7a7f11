import Crypto
public import Foundation
public import ShareBusCore
public import ShareBusCrypto

/// Evidence: a JWS signed by the bus (`typ` `sharebus-evidence+jws`) over
/// `{"requestSha256", "result", "caller", "at"}`, in compact serialization (RFC 7515 section 7.1),
/// which is the one string form of a JWS and sits in a JSON answer without a second layer of escaping.
///
/// `requestSha256` is the hex SHA-256 of the canonical JSON (RFC 8785) of the request body, so that the
/// caller, holding its request, can show what was asked; the bus does not keep it (it is a hash of
/// guessable values), only a digest of the evidence itself in the audit entry.
public struct EvidenceIssuer: Sendable {
    let signer: BusSigner

    public init(signer: BusSigner) {
        self.signer = signer
    }

    /// The evidence for answering `result` to `request` from `caller` at `at`.
    public func issue(request: JSONValue, result: JSONValue, caller: Principal, at: Date) throws -> String {
        let payload: JSONValue = .object([
            "requestSha256": .string(try CanonicalJSON.sha256Hex(request)),
            "result": result,
            "caller": .string(caller.uri),
            "at": .string(Timestamp.format(at)),
        ])
        let jws = try signer.signer.sign(
            payload: try CanonicalJSON.serialize(payload), typ: BusSigner.evidenceType, certificateDER: signer.certificate.derBytes)
        return "\(jws.protected).\(jws.payload).\(jws.signature)"
    }

    /// Hex SHA-256 of the evidence text: what the audit entry keeps to tie an answer to it.
    public static func digest(_ evidence: String) -> String {
        Hex.encode(SHA256.hash(data: Array(evidence.utf8)))
    }
}

/// Reading evidence in whichever form a person saved it.
public enum EvidenceText {
    /// The JWS in `text`: a compact JWS, a flattened JSON JWS, or a whole answer of the bus whose
    /// `evidence` member holds one. Surrounding white space is ignored.
    public static func parse(_ text: String) throws -> ParsedJWS {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{") {
            let value: JSONValue
            do {
                value = try StrictJSON.parse(Array(trimmed.utf8))
            } catch {
                throw EvidenceError("the file is not JSON: \(error)")
            }
            if let evidence = value["evidence"] {
                if let compact = evidence.stringValue { return try compactJWS(compact) }
                return try flattened(try CanonicalJSON.serialize(evidence))
            }
            return try flattened(Array(trimmed.utf8))
        }
        return try compactJWS(trimmed)
    }

    static func flattened(_ bytes: [UInt8]) throws -> ParsedJWS {
        do {
            return try JWS.parse(bytes, expectedType: BusSigner.evidenceType)
        } catch let error as ShareBusError {
            throw EvidenceError("not evidence of the bus: \(error.detail)")
        }
    }

    static func compactJWS(_ text: String) throws -> ParsedJWS {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw EvidenceError("not a JWS: a compact JWS has three parts separated by dots") }
        guard let header = Base64URL.decode(parts[0]), !header.isEmpty else {
            throw EvidenceError("the protected header is not base64url")
        }
        guard let payload = Base64URL.decode(parts[1]) else { throw EvidenceError("the payload is not base64url") }
        guard let signature = Base64URL.decode(parts[2]), !signature.isEmpty else {
            throw EvidenceError("the signature is not base64url")
        }
        let parsedHeader: JWSHeader
        do {
            parsedHeader = try JWSHeader(decoding: header)
        } catch let error as ShareBusError {
            throw EvidenceError("the protected header is unusable: \(error.detail)")
        }
        guard parsedHeader.type == BusSigner.evidenceType else {
            throw EvidenceError("the JWS is a \(parsedHeader.type), not a \(BusSigner.evidenceType)")
        }
        return ParsedJWS(
            header: parsedHeader, protectedB64: String(parts[0]), payloadB64: String(parts[1]), payload: payload, signature: signature)
    }
}

/// Why evidence does not verify, in one line a person can act on.
public struct EvidenceError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
