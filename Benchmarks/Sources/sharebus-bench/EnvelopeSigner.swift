import Crypto
import Foundation

/// Signs envelopes the way a department system does (protocol section 3): a JWS in flattened JSON
/// serialization, ES256 with the raw 64-byte `r||s` signature, the protected header naming the
/// signer's certificate by `x5t#S256`. Written here rather than imported from the bus, so the
/// benchmark is an independent client of the wire protocol.
struct EnvelopeSigner: Sendable {
    let key: P256.Signing.PrivateKey
    /// base64url of the protected header, the same for every envelope of this signer.
    let protectedB64: String

    init(certificatePEM: String, keyPEM: String) throws {
        key = try P256.Signing.PrivateKey(pemRepresentation: keyPEM)
        let thumbprint = Base64URL.encode(Array(SHA256.hash(data: try PEM.der(certificatePEM)))) as String
        let header = #"{"alg":"ES256","typ":"sharebus-envelope+jws","x5t#S256":"\#(thumbprint)"}"#
        protectedB64 = Base64URL.encode(Array(header.utf8)) as String
    }

    /// The body of `POST /v1/envelopes` for these payload bytes (the message's JSON).
    func envelope(payload: [UInt8]) throws -> [UInt8] {
        let payloadB64 = Base64URL.encodeBytes(payload)
        var input = [UInt8]()
        input.reserveCapacity(protectedB64.utf8.count + 1 + payloadB64.count)
        input.append(contentsOf: protectedB64.utf8)
        input.append(UInt8(ascii: "."))
        input.append(contentsOf: payloadB64)
        let signature = try key.signature(for: input).rawRepresentation
        var body = [UInt8]()
        body.reserveCapacity(input.count + 120)
        body.append(contentsOf: #"{"payload":""#.utf8)
        body.append(contentsOf: payloadB64)
        body.append(contentsOf: #"","protected":""#.utf8)
        body.append(contentsOf: protectedB64.utf8)
        body.append(contentsOf: #"","signature":""#.utf8)
        body.append(contentsOf: Base64URL.encodeBytes(Array(signature)))
        body.append(contentsOf: #""}"#.utf8)
        return body
    }
}

/// Unpadded base64url (RFC 4648 section 5), table driven: payloads of 100 records are ~100 KB.
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String { String(decoding: encodeBytes(bytes), as: UTF8.self) }

    static func encodeBytes(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(alphabet[Int(n & 63)])
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
        }
        return out
    }

    static func decode(_ text: String) -> [UInt8]? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map { Array($0) }
    }
}

/// The DER inside the first PEM block of a text.
enum PEM {
    struct Malformed: Error {}

    static func der(_ pem: String) throws -> [UInt8] {
        let lines = pem.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let begin = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN") }),
            let end = lines[begin...].firstIndex(where: { $0.hasPrefix("-----END") }),
            let data = Data(base64Encoded: lines[(begin + 1)..<end].joined())
        else { throw Malformed() }
        return Array(data)
    }
}
