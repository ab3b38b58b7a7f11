import ShareBusCore
import Testing

@testable import ShareBusCrypto

/// The string fast path (one scan, one copy for plain runs) must answer exactly as the scalar-by-scalar
/// parser it replaced: the same strings, and the same errors at the same offsets.
@Suite struct StrictJSONFastPathTests {
    /// The string parser as it was before the fast path: every run validated and appended scalar by scalar.
    struct Reference {
        let bytes: [UInt8]
        var index: Int

        mutating func string() -> Result<String, StrictJSON.Error> {
            index += 1
            var scalars = String.UnicodeScalarView()
            var runStart = index
            func flush(_ end: Int) -> StrictJSON.Error? {
                guard let run = String(validating: bytes[runStart..<end], as: UTF8.self) else {
                    return StrictJSON.Error(message: "invalid UTF-8 in string", offset: runStart)
                }
                scalars.append(contentsOf: run.unicodeScalars)
                return nil
            }
            while true {
                guard index < bytes.count else { return .failure(.init(message: "unterminated string", offset: index)) }
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    if let error = flush(index) { return .failure(error) }
                    return .success(String(scalars))
                case UInt8(ascii: "\\"):
                    if let error = flush(index) { return .failure(error) }
                    var parser = StrictJSONParser(bytes: bytes, maxDepth: 64)
                    parser.index = index + 1
                    do {
                        scalars.append(try parser.parseEscape())
                    } catch {
                        return .failure(error)
                    }
                    index = parser.index
                    runStart = index
                case 0x00..<0x20:
                    return .failure(.init(message: "unescaped control character in string", offset: index))
                default:
                    index += 1
                }
            }
        }
    }

    /// Parses `literal` (the bytes of one JSON string, quotes included) both ways and compares.
    func compare(_ literal: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        var reference = Reference(bytes: literal, index: 0)
        let expected = reference.string()
        var parser = StrictJSONParser(bytes: literal, maxDepth: 64)
        let actual: Result<String, StrictJSON.Error>
        do {
            actual = .success(try parser.parseString())
        } catch {
            actual = .failure(error)
        }
        switch (expected, actual) {
        case (.success(let a), .success(let b)):
            // Compared scalar by scalar: Swift's == would hide a change of normalisation.
            #expect(Array(a.unicodeScalars) == Array(b.unicodeScalars), "\(literal)", sourceLocation: sourceLocation)
            #expect(parser.index == reference.index + 1, "\(literal)", sourceLocation: sourceLocation)
        case (.failure(let a), .failure(let b)):
            #expect(a == b, "\(literal)", sourceLocation: sourceLocation)
        default:
            Issue.record("\(literal): reference \(expected), fast path \(actual)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [
        #""""#, #""plain ascii""#, #""é""#, #""张三""#, #""x\u00e9\ud83d\ude00""#, #""tab\tnew\nline""#, #""\"""#, #""\\""#,
        #""ab\/cd""#, #""e\u0301""#, "\"e\u{301}\"", #""\ud83d""#, #""\ude00""#, #""\x""#, #""abc"#, "\"a\u{01}b\"", "\"a\u{7F}b\"",
        #""\u00""#, #""\uD83D\u0041""#, #""trailing backslash\"#,
    ])
    func sameAsTheScalarParser(_ literal: String) {
        compare(Array(literal.utf8))
    }

    @Test func sameOnInvalidUTF8() {
        for bytes: [UInt8] in [
            [0x22, 0xC3, 0x28, 0x22], [0x22, 0x61, 0xFF, 0x22], [0x22, 0xE4, 0xB8, 0x22], [0x22, 0xC3, 0x5C, 0x6E, 0x22],
            [0x22, 0xC3, 0x01, 0x22], [0x22, 0x5C, 0x6E, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xC3],
        ] {
            compare(bytes)
        }
    }

    @Test func sameOnRandomMixes() {
        // Pieces that exercise each branch: plain runs, multibyte, broken UTF-8, escapes, controls.
        let pieces: [[UInt8]] = [
            Array("a".utf8), Array("Zz09-_".utf8), Array("é".utf8), Array("张".utf8), Array("😀".utf8), [0xC3], [0x80], [0xFF],
            Array(#"\n"#.utf8), Array(#"\""#.utf8), Array(#"\\"#.utf8), Array(#"\u0041"#.utf8), Array(#"\ud83d\ude00"#.utf8),
            Array(#"\ud83d"#.utf8), Array(#"\q"#.utf8), [0x01], [0x1F], [0x7F], Array(" ".utf8),
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            var literal: [UInt8] = [0x22]
            for _ in 0..<Int.random(in: 0...8, using: &generator) { literal += pieces.randomElement(using: &generator)! }
            if Int.random(in: 0..<10, using: &generator) > 0 { literal.append(0x22) }
            compare(literal)
        }
    }

    @Test func longBase64RunsAndDuplicates() throws {
        let payload = String(repeating: "QUJDREVGR0hJSktMTU5PUA", count: 6_000)
        let value = try StrictJSON.parse(Array(#"{"protected":"eyJ9","payload":"\#(payload)","signature":"c2ln"}"#.utf8))
        #expect(value["payload"]?.stringValue == payload)
        // Duplicates are still refused, whichever path read the names, at the second name.
        for text in [#"{"payload":"a","payload":"b"}"#, #"{"p\u0061yload":"a","payload":"b"}"#, #"{"é":1,"\u00e9":2}"#] {
            let error = #expect(throws: StrictJSON.Error.self) { try StrictJSON.parse(Array(text.utf8)) }
            #expect(error?.message.hasPrefix("duplicate member") == true, "\(text)")
        }
    }
}
