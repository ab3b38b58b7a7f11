import Crypto
import Foundation
import FuzzSupport
import ShareBusCore
import ShareBusCrypto
import X509

// The JWS parser and verifier (protocol section 3). The first byte picks a mode.
// Parse mode, on raw bytes:
// - JWS.parse refuses or returns a JWS whose base64url members are canonical (decode then encode
//   gives them back), whose header re-parses from its canonical JSON, and which re-serialises to
//   bytes that parse to the same JWS and serialise again to the same bytes;
// - Foundation's decoder reads the same three members from whatever the strict parser accepted;
// - verification against fixed P-256 and Ed25519 keys never crashes, and a signature that is not
//   64 bytes never verifies.
// Base64url mode: Base64URL.decode accepts exactly the canonical unpadded spellings (those that
// encode back to themselves) and decodes them as Foundation does; encode then decode is identity.
// Sign mode, the rest of the input as the payload:
// - what the bus signs parses and verifies with the signer's key only; a flipped signature bit, a
//   DER-encoded ECDSA signature, the other algorithm's key and a swapped `alg` all fail.

let p256 = try! P256.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 7, count: 32))
let ed25519 = try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 9, count: 32))
let p256Public = Certificate.PublicKey(p256.publicKey)
let ed25519Public = Certificate.PublicKey(ed25519.publicKey)
let certificateDER = [UInt8]("not a certificate, only hashed for x5t#S256".utf8)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWS(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var reader = ByteReader(Array(UnsafeBufferPointer(start: data, count: size)))
    switch reader.byte() % 3 {
    case 0: parseMode(reader.remaining)
    case 1: signMode(&reader)
    default: base64Mode(reader.remaining)
    }
    return 0
}

func parseMode(_ bytes: [UInt8]) {
    guard let parsed = try? JWS.parse(bytes) else { return }
    invariant(Base64URL.encode(parsed.payload) == parsed.payloadB64, "payload base64url is not canonical")
    let signatureB64 = (try? StrictJSON.parse(bytes))?["signature"]?.stringValue
    invariant(Base64URL.encode(parsed.signature) == signatureB64, "signature base64url is not canonical")
    let headerBytes = Base64URL.decode(parsed.protectedB64) ?? []
    invariant(Base64URL.encode(headerBytes) == parsed.protectedB64, "protected base64url is not canonical")
    let header = try? JWSHeader(decoding: (try? CanonicalJSON.serialize(parsed.header.raw)) ?? [])
    invariant(header == parsed.header, "the header does not survive its canonical form")

    let flat = FlattenedJWS(protected: parsed.protectedB64, payload: parsed.payloadB64, signature: Base64URL.encode(parsed.signature)).encoded()
    guard let again = try? JWS.parse(flat) else { fatalError("invariant broken: a re-serialised JWS does not parse") }
    invariant(again == parsed, "re-serialised JWS parses differently")
    let flatAgain = FlattenedJWS(protected: again.protectedB64, payload: again.payloadB64, signature: Base64URL.encode(again.signature)).encoded()
    invariant(flatAgain == flat, "re-serialisation is not stable")
    if bytes.first == UInt8(ascii: "{"), !bytes.contains(where: { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }),
        bytes.starts(with: Array("{\"protected\":\"".utf8)), bytes.count == flat.count
    {
        invariant(bytes == flat, "a compact JWS does not re-serialise to its own bytes")
    }

    let decoded = try? JSONDecoder().decode(FlattenedJWS.self, from: Data(bytes))
    invariant(decoded?.protected == parsed.protectedB64 && decoded?.payload == parsed.payloadB64, "Foundation reads other members")

    for key in [p256Public, ed25519Public] {
        let ok = JWS.verify(parsed, publicKey: key)
        if parsed.signature.count != 64 { invariant(!ok, "a \(parsed.signature.count)-byte signature verified") }
    }
}

func signMode(_ reader: inout ByteReader) {
    let flip = Int(reader.byte())
    let payload = reader.remaining
    for signer in [JWSSigner.p256(p256), .ed25519(ed25519)] {
        let jws = try! signer.sign(payload: payload, typ: "sharebus-envelope+jws", certificateDER: certificateDER)
        guard let parsed = try? JWS.parse(jws.encoded(), expectedType: "sharebus-envelope+jws") else {
            fatalError("invariant broken: a signed JWS does not parse")
        }
        invariant(parsed.payload == payload, "payload changed")
        invariant(parsed.header.certificateThumbprint == JWS.x5tS256(of: certificateDER), "x5t#S256 changed")
        let own = signer.algorithm == .es256 ? p256Public : ed25519Public
        let other = signer.algorithm == .es256 ? ed25519Public : p256Public
        invariant(JWS.verify(parsed, publicKey: own), "a fresh signature does not verify")
        invariant(!JWS.verify(parsed, publicKey: other), "verified with the other algorithm's key")

        var tampered = parsed
        tampered.signature[flip % 64] ^= UInt8(1 << (flip % 8))
        invariant(!JWS.verify(tampered, publicKey: own), "a flipped signature bit verified")

        if case .p256 = signer, let raw = try? P256.Signing.ECDSASignature(rawRepresentation: parsed.signature) {
            var der = parsed
            der.signature = Array(raw.derRepresentation)
            invariant(!JWS.verify(der, publicKey: own), "a DER-encoded ECDSA signature verified")
        }
        var swapped = parsed
        swapped.header.algorithm = signer.algorithm == .es256 ? .edDSA : .es256
        invariant(!JWS.verify(swapped, publicKey: own), "verified under a swapped alg")
    }
}

func base64Mode(_ bytes: [UInt8]) {
    invariant(Base64URL.decode(Base64URL.encode(bytes)) == bytes, "decode(encode(x)) != x")
    let text = String(decoding: bytes, as: UTF8.self)
    var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    let urlSafe = !text.contains("+") && !text.contains("/") && !text.contains("=")
    while standard.utf8.count % 4 != 0 { standard += "=" }
    let foundation = urlSafe ? Data(base64Encoded: standard).map { [UInt8]($0) } : nil
    let canonical = foundation.map { Base64URL.encode($0) == text } ?? false
    let decoded = Base64URL.decode(text)
    invariant((decoded != nil) == canonical, "\(text.debugDescription): bus \(decoded != nil ? "accepts" : "refuses"), canonical: \(canonical)")
    if let decoded { invariant(decoded == foundation, "\(text.debugDescription) decodes differently from Foundation") }
}
