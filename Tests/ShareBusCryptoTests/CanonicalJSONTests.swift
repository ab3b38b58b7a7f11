import ShareBusCore
import Testing

@testable import ShareBusCrypto

@Suite struct CanonicalJSONTests {
    /// RFC 8785 appendix B: IEEE 754 bit patterns and their canonical text.
    @Test(
        arguments: [
            (0x0000_0000_0000_0000, "0"),
            (0x8000_0000_0000_0000, "0"),
            (0x0000_0000_0000_0001, "5e-324"),
            (0x8000_0000_0000_0001, "-5e-324"),
            (0x7FEF_FFFF_FFFF_FFFF, "1.7976931348623157e+308"),
            (0xFFEF_FFFF_FFFF_FFFF, "-1.7976931348623157e+308"),
            (0x4340_0000_0000_0000, "9007199254740992"),
            (0xC340_0000_0000_0000, "-9007199254740992"),
            (0x4430_0000_0000_0000, "295147905179352830000"),
            (0x44B5_2D02_C7E1_4AF5, "9.999999999999997e+22"),
            (0x44B5_2D02_C7E1_4AF6, "1e+23"),
            (0x44B5_2D02_C7E1_4AF7, "1.0000000000000001e+23"),
            (0x444B_1AE4_D6E2_EF4E, "999999999999999700000"),
            (0x444B_1AE4_D6E2_EF4F, "999999999999999900000"),
            (0x444B_1AE4_D6E2_EF50, "1e+21"),
            (0x3EB0_C6F7_A0B5_ED8C, "9.999999999999997e-7"),
            (0x3EB0_C6F7_A0B5_ED8D, "0.000001"),
            (0x41B3_DE43_5555_5553, "333333333.3333332"),
            (0x41B3_DE43_5555_5554, "333333333.33333325"),
            (0x41B3_DE43_5555_5555, "333333333.3333333"),
            (0x41B3_DE43_5555_5556, "333333333.3333334"),
            (0x41B3_DE43_5555_5557, "333333333.33333343"),
            (0xBECB_F647_612F_3696, "-0.0000033333333333333333"),
            (0x4314_3FF3_C1CB_0959, "1424953923781206.2"),
        ] as [(UInt64, String)])
    func rfc8785Numbers(bits: UInt64, expected: String) throws {
        #expect(try CanonicalJSON.string(.number(Double(bitPattern: bits))) == expected)
    }

    @Test(
        arguments: [
            (1e21, "1e+21"), (1e20, "100000000000000000000"), (1e-7, "1e-7"), (0.000001, "0.000001"),
            (333333333.33333329, "333333333.3333333"), (Double.leastNonzeroMagnitude, "5e-324"), (1.0, "1"), (-1.5, "-1.5"),
            (0.1, "0.1"), (123.456, "123.456"), (1.5e300, "1.5e+300"), (2e-3, "0.002"), (4.5, "4.5"),
            (1e30, "1e+30"), (1e-27, "1e-27"), (9007199254740992.0, "9007199254740992"), (-0.0, "0"),
        ] as [(Double, String)])
    func ecmaScriptNumberLayout(value: Double, expected: String) throws {
        #expect(try CanonicalJSON.string(.number(value)) == expected)
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteNumbersThrow(_ value: Double) {
        #expect(throws: ShareBusError.self) { try CanonicalJSON.serialize(.array([.number(value)])) }
    }

    @Test func integersAreExact() throws {
        #expect(try CanonicalJSON.string(.integer(.max)) == "9223372036854775807")
        #expect(try CanonicalJSON.string(.integer(.min)) == "-9223372036854775808")
        #expect(try CanonicalJSON.string(.integer(0)) == "0")
        #expect(try CanonicalJSON.string(.array([.integer(1), .number(1)])) == "[1,1]")
    }

    @Test(arguments: [
        ("\"", #""\"""#), ("\\", #""\\""#), ("/", #""/""#), ("\u{08}\u{0C}\n\r\t", #""\b\f\n\r\t""#),
        ("\u{00}\u{01}\u{0B}\u{1F}", #""\u0000\u0001\u000b\u001f""#), ("\u{7F}", "\"\u{7F}\""),
        ("€ 中文 😀", "\"€ 中文 😀\""), ("\u{2028}", "\"\u{2028}\""),
    ])
    func stringEscaping(_ input: String, expected: String) throws {
        #expect(try CanonicalJSON.string(.string(input)) == expected)
    }

    /// RFC 8785 section 3.2.2's sample, parsed from its own input text.
    @Test func rfc8785SampleObject() throws {
        let input = #"""
            {
              "numbers": [333333333.33333329, 1E30, 4.50,
                          2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        let value = try StrictJSON.parse(Array(input.utf8))
        let expected = #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(try CanonicalJSON.string(value) == expected)
    }

    /// RFC 8785 section 3.2.3: members sort by UTF-16 code units, so the emoji (a surrogate pair
    /// starting 0xD83D) comes before U+FB33 although its code point is larger.
    @Test func rfc8785SortingExample() throws {
        let input = #"""
            {"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
             "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control",
             "\u00f6": "Latin Small Letter O With Diaeresis"}
            """#
        let value = try StrictJSON.parse(Array(input.utf8))
        guard case .object(let members) = value else {
            Issue.record("not an object")
            return
        }
        let canonical = try CanonicalJSON.string(value)
        let order = [
            "Carriage Return", "One", "Control", "Latin Small Letter O With Diaeresis", "Euro Sign",
            "Emoji: Grinning Face", "Hebrew Letter Dalet With Dagesh",
        ]
        let positions = order.map { canonical.range(of: "\"\($0)\"")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        #expect(members.count == 7)
        #expect(canonical.hasPrefix("{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\""))
    }

    @Test func nestedStructuresHaveNoWhitespace() throws {
        let value: JSONValue = .object([
            "b": .array([.object([:]), .array([]), .null, .bool(false)]),
            "a": .object(["z": .string("x"), "y": .integer(-3)]),
        ])
        #expect(try CanonicalJSON.string(value) == #"{"a":{"y":-3,"z":"x"},"b":[{},[],null,false]}"#)
    }

    @Test func sha256HexOfCanonicalBytes() throws {
        // printf '{"a":1}' | sha256sum
        #expect(try CanonicalJSON.sha256Hex(.object(["a": .integer(1)])) == "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862")
        #expect(try CanonicalJSON.sha256Hex(.object(["a": .number(1.0)])) == CanonicalJSON.sha256Hex(.object(["a": .integer(1)])))
    }
}
