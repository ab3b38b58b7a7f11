import ShareBusCore
import Testing

@testable import ShareBusCrypto

@Suite struct StrictJSONTests {
    @Test func parsesEveryKind() throws {
        let value = try StrictJSON.parse(Array(#" {"a": [1, -2.5, 3e2, true, false, null, "x\u00e9\ud83d\ude00"], "b": {}} "#.utf8))
        #expect(
            value
                == .object([
                    "a": .array([.integer(1), .number(-2.5), .number(300), .bool(true), .bool(false), .null, .string("xé😀")]),
                    "b": .object([:]),
                ]))
    }

    @Test(arguments: [
        #"{"a":1,"a":2}"#,  // duplicate member
        #"{"a":1}x"#,  // trailing data
        #"{"a":1}{}"#,
        #"[01]"#,  // leading zero
        #"[1.]"#, #"[.5]"#, #"[1e]"#, #"[+1]"#, #"[NaN]"#, #"[1e400]"#,
        #"["\ud83d"]"#,  // unpaired surrogate
        #"["\ude00"]"#,
        "[\"a\u{01}b\"]",  // raw control character
        #"["\x"]"#,  // bad escape
        #"{"a" 1}"#, #"{a:1}"#, #"[1,]"#, #"{"a":1,}"#, "", "tru", #"""#,
    ])
    func rejects(_ text: String) {
        #expect(throws: StrictJSON.Error.self) { try StrictJSON.parse(Array(text.utf8)) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: StrictJSON.Error.self) { try StrictJSON.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func limitsNesting() throws {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: StrictJSON.Error.self) { try StrictJSON.parse(Array(deep.utf8)) }
        let shallow = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        _ = try StrictJSON.parse(Array(shallow.utf8))
    }

    @Test func bigIntegersBecomeDoubles() throws {
        #expect(try StrictJSON.parse(Array("9223372036854775807".utf8)) == .integer(.max))
        #expect(try StrictJSON.parse(Array("9223372036854775808".utf8)) == .number(9223372036854775808.0))
    }
}
