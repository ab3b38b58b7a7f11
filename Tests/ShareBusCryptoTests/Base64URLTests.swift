import Testing

@testable import ShareBusCrypto

@Suite struct Base64URLTests {
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
    ])
    func rfc4648Vectors(plain: String, encoded: String) {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test func usesTheURLSafeAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF, 0xBF]) == "-_-_")
        #expect(Base64URL.decode("-_-_") == [0xFB, 0xFF, 0xBF])
    }

    @Test func roundTripsEveryLength() {
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255) }
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
    }

    @Test(arguments: [
        "Zg==",  // padding
        "Zm8=",  // padding
        "Zm9v+A",  // standard-alphabet '+'
        "Zm9v/A",  // standard-alphabet '/'
        "Zm9 v",  // whitespace
        "Zm9v\n",
        "Z",  // impossible length
        "Zh",  // leftover bits set: not the canonical spelling of "f"
        "Zm9",  // leftover bits set: not the canonical spelling of "fo"
        "Zm9v\u{00e9}",
    ])
    func rejectsNonCanonicalInput(_ text: String) {
        #expect(Base64URL.decode(text) == nil)
    }
}
