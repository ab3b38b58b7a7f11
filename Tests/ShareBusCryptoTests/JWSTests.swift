import Crypto
import Foundation
import ShareBusCore
import Testing
import X509

@testable import ShareBusCrypto

@Suite struct JWSTests {
    let certificateDER: [UInt8] = Array("not really a certificate, only hashed".utf8)
    let payload = Array(#"{"id":"e1","sender":"dept-a"}"#.utf8)
    static let envelopeType = "sharebus-envelope+jws"

    static let signers: [JWSSigner] = [.p256(P256.Signing.PrivateKey()), .ed25519(Curve25519.Signing.PrivateKey())]

    func expectCode(_ code: ProblemCode, _ body: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try JWS.parse(body)
            Issue.record("parsed, expected \(code.rawValue)", sourceLocation: sourceLocation)
        } catch let error as ShareBusError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    /// A body with `header` as the protected header JSON and a signature that is not checked.
    func body(header: String, payload: String = "e30", signature: String = Base64URL.encode([UInt8](repeating: 1, count: 64))) -> [UInt8] {
        FlattenedJWS(protected: Base64URL.encode(Array(header.utf8)), payload: payload, signature: signature).encoded()
    }

    var thumbprint: String { JWS.x5tS256(of: certificateDER) }

    @Test(arguments: JWSTests.signers)
    func signAndVerifyRoundTrip(signer: JWSSigner) throws {
        let jws = try signer.sign(payload: payload, typ: Self.envelopeType, certificateDER: certificateDER)
        let parsed = try JWS.parse(jws.encoded(), expectedType: Self.envelopeType)
        #expect(parsed.payload == payload)
        #expect(parsed.header.algorithm == signer.algorithm)
        #expect(parsed.header.certificateThumbprint == thumbprint)
        #expect(parsed.signature.count == 64)
        #expect(parsed.signingInput == Array("\(jws.protected).\(jws.payload)".utf8))
        #expect(JWS.verify(parsed, publicKey: signer.publicKey))
        // Another key of the same type must not verify.
        let other: JWSSigner = signer.algorithm == .es256 ? .p256(.init()) : .ed25519(.init())
        #expect(!JWS.verify(parsed, publicKey: other.publicKey))
    }

    @Test func ed25519KeysWriteTheFullySpecifiedName() throws {
        let jws = try JWSSigner.ed25519(.init()).sign(payload: payload, typ: "t", certificateDER: certificateDER)
        #expect(try JWS.parse(jws.encoded()).header.algorithm == .ed25519)
    }

    @Test func edDSAIsAcceptedAsEd25519() throws {
        let signer = JWSSigner.ed25519(.init())
        let header = JWSHeader(algorithm: .edDSA, certificateThumbprint: thumbprint, type: Self.envelopeType)
        let jws = try signer.sign(payload: payload, header: header)
        let parsed = try JWS.parse(jws.encoded())
        #expect(parsed.header.algorithm == .edDSA)
        #expect(JWS.verify(parsed, publicKey: signer.publicKey))
        #expect(!JWS.verify(parsed, publicKey: JWSSigner.p256(.init()).publicKey))
    }

    @Test func headerIsWrittenWithSortedKeys() throws {
        let jws = try JWSSigner.p256(.init()).sign(payload: payload, typ: Self.envelopeType, certificateDER: certificateDER)
        let header = String(decoding: Base64URL.decode(jws.protected)!, as: UTF8.self)
        #expect(header == #"{"alg":"ES256","typ":"sharebus-envelope+jws","x5t#S256":"\#(thumbprint)"}"#)
    }

    @Test func encodedFormIsCompactFlattenedJSON() throws {
        let jws = FlattenedJWS(protected: "cA", payload: "cGw", signature: "c2ln")
        #expect(String(decoding: jws.encoded(), as: UTF8.self) == #"{"protected":"cA","payload":"cGw","signature":"c2ln"}"#)
    }

    @Test(arguments: JWSTests.signers)
    func tamperingBreaksTheSignature(signer: JWSSigner) throws {
        let jws = try signer.sign(payload: payload, typ: Self.envelopeType, certificateDER: certificateDER)
        var payloadChanged = jws
        payloadChanged.payload = Base64URL.encode(Array(#"{"id":"e1","sender":"dept-b"}"#.utf8))
        var headerChanged = jws
        headerChanged.protected = try signer.sign(payload: payload, typ: "other+jws", certificateDER: certificateDER).protected
        var signatureChanged = jws
        var signature = Base64URL.decode(jws.signature)!
        signature[10] ^= 0x01
        signatureChanged.signature = Base64URL.encode(signature)

        #expect(JWS.verify(try JWS.parse(jws.encoded()), publicKey: signer.publicKey))
        for tampered in [payloadChanged, headerChanged, signatureChanged] {
            #expect(!JWS.verify(try JWS.parse(tampered.encoded()), publicKey: signer.publicKey))
        }
    }

    @Test func derEncodedES256SignatureIsRefused() throws {
        let key = P256.Signing.PrivateKey()
        let jws = try JWSSigner.p256(key).sign(payload: payload, typ: "t", certificateDER: certificateDER)
        let parsed = try JWS.parse(jws.encoded())
        #expect(JWS.verify(parsed, publicKey: .init(key.publicKey)))
        var der = jws
        der.signature = Base64URL.encode(try key.signature(for: parsed.signingInput).derRepresentation)
        let derParsed = try JWS.parse(der.encoded())
        #expect(derParsed.signature.count > 64)
        #expect(!JWS.verify(derParsed, publicKey: .init(key.publicKey)))
    }

    @Test func wrongKeyTypeIsRefused() throws {
        let p256 = P256.Signing.PrivateKey()
        let ed = Curve25519.Signing.PrivateKey()
        let es = try JWS.parse(JWSSigner.p256(p256).sign(payload: payload, typ: "t", certificateDER: certificateDER).encoded())
        let eddsa = try JWS.parse(JWSSigner.ed25519(ed).sign(payload: payload, typ: "t", certificateDER: certificateDER).encoded())
        #expect(!JWS.verify(es, publicKey: .init(ed.publicKey)))
        #expect(!JWS.verify(eddsa, publicKey: .init(p256.publicKey)))
        #expect(!JWS.verify(es, publicKey: .init(P384.Signing.PrivateKey().publicKey)))
        // A header claiming ES256 over an Ed25519 signature does not verify with the Ed25519 key.
        var relabelled = eddsa
        relabelled.header = JWSHeader(algorithm: .es256, certificateThumbprint: thumbprint, type: "t")
        #expect(!JWS.verify(relabelled, publicKey: .init(ed.publicKey)))
        #expect(throws: ShareBusError.self) {
            try JWSSigner.p256(p256).sign(payload: payload, header: JWSHeader(algorithm: .ed25519, certificateThumbprint: thumbprint, type: "t"))
        }
    }

    @Test(arguments: [#""none""#, #""HS256""#, #""RS256""#, #""ES384""#, #""es256""#, #""ed25519""#, #""""#, "1", "null"])
    func unsupportedAlgorithmsAreRefused(alg: String) {
        expectCode(.invalidJWSHeader, body(header: #"{"alg":\#(alg),"typ":"t","x5t#S256":"\#(thumbprint)"}"#))
    }

    @Test func verifyingWithACertificateChecksTheThumbprint() throws {
        let ca = try makeCA()
        let key = P256.Signing.PrivateKey()
        let a = try ca.issue(.department(id: "dept-a", name: "A"), publicKey: .init(key.publicKey), now: referenceTime, validityDays: 30)
        let b = try ca.issue(.department(id: "dept-a", name: "A"), publicKey: .init(key.publicKey), now: referenceTime, validityDays: 30)
        let parsed = try JWS.parse(JWSSigner.p256(key).sign(payload: payload, typ: "t", certificateDER: a.derBytes).encoded())
        #expect(JWS.verify(parsed, certificate: a))
        #expect(!JWS.verify(parsed, certificate: b))
    }

    @Test func headerProblems() {
        let t = thumbprint
        let cases = [
            #"{"typ":"t","x5t#S256":"\#(t)"}"#,  // no alg
            #"{"alg":"ES256","typ":"t"}"#,  // no x5t#S256
            #"{"alg":"ES256","typ":"t","x5t#S256":"\#(Base64URL.encode([1, 2, 3]))"}"#,  // not 32 bytes
            #"{"alg":"ES256","typ":"t","x5t#S256":"\#(t)="}"#,  // padded
            #"{"alg":"ES256","x5t#S256":"\#(t)"}"#,  // no typ
            #"{"alg":"ES256","typ":"","x5t#S256":"\#(t)"}"#,
            #"{"alg":"ES256","typ":"t","x5t#S256":"\#(t)","crit":["exp"],"exp":1}"#,
            #"{"alg":"ES256","typ":"t","x5t#S256":"\#(t)","b64":false}"#,
            #"{"alg":"ES256","alg":"none","typ":"t","x5t#S256":"\#(t)"}"#,  // duplicate member
            #"["ES256"]"#, #""ES256""#, "not json", #"{"alg":"ES256","typ":"t","x5t#S256":"\#(t)"} x"#,
        ]
        for header in cases {
            expectCode(.invalidJWSHeader, body(header: header))
        }
        // The same header without the defect parses, so each case above fails for its own reason.
        #expect(throws: Never.self) { try JWS.parse(body(header: #"{"alg":"ES256","typ":"t","x5t#S256":"\#(t)"}"#)) }
    }

    @Test func expectedTypeIsEnforced() throws {
        let jws = try JWSSigner.p256(.init()).sign(payload: payload, typ: "sharebus-receipt+jws", certificateDER: certificateDER)
        #expect(throws: Never.self) { try JWS.parse(jws.encoded(), expectedType: "sharebus-receipt+jws") }
        do {
            _ = try JWS.parse(jws.encoded(), expectedType: Self.envelopeType)
            Issue.record("wrong typ accepted")
        } catch let error as ShareBusError {
            #expect(error.code == .invalidJWSHeader)
        }
    }

    @Test func formProblems() throws {
        let good = try JWSSigner.p256(.init()).sign(payload: payload, typ: "t", certificateDER: certificateDER)
        let p = good.protected
        let l = good.payload
        let s = good.signature
        let cases = [
            "not json", "[]", #""x""#, "{}",
            #"{"protected":"\#(p)","payload":"\#(l)"}"#,
            #"{"protected":"\#(p)","payload":"\#(l)","signature":"\#(s)","extra":1}"#,
            #"{"protected":"\#(p)","payload":"\#(l)","signature":"\#(s)","header":{"kid":"x"}}"#,
            #"{"payload":"\#(l)","signatures":[{"protected":"\#(p)","signature":"\#(s)"}]}"#,
            #"{"protected":"\#(p)","payload":"\#(l)","signature":1}"#,
            #"{"protected":"\#(p)","payload":"\#(l)","signature":"\#(s)","signature":"\#(s)"}"#,
            #"{"protected":"\#(p)","payload":"\#(l)=","signature":"\#(s)"}"#,  // padded base64
            #"{"protected":"\#(p)","payload":"\#(l)","signature":"\#(s)=="}"#,
            #"{"protected":"\#(p)","payload":"\#(l.replacingOccurrences(of: "e", with: "+"))","signature":"\#(s)"}"#,
            #"{"protected":"\#(p)","payload":"\#(l)","signature":""}"#,
            #"{"protected":"","payload":"\#(l)","signature":"\#(s)"}"#,
            #"{"protected":"\#(p)","payload":"\#(l)","signature":"\#(s)"}garbage"#,
        ]
        for text in cases {
            expectCode(.malformedJWS, Array(text.utf8))
        }
        #expect(throws: Never.self) { try JWS.parse(Array(#"{"protected":"\#(p)","payload":"\#(l)","signature":"\#(s)"}"#.utf8)) }
    }

    @Test func x5tS256IsBase64urlSHA256() {
        #expect(JWS.x5tS256(of: []) == "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU")
    }
}
