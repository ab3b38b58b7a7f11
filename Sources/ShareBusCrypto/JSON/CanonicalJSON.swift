import Crypto
public import ShareBusCore

/// RFC 8785 JSON Canonicalization Scheme (JCS): one byte sequence per JSON value, so that a
/// hash or signature over a value can be recomputed by anyone holding the same value.
///
/// Object members are sorted by their names' UTF-16 code units, strings are escaped exactly as
/// ECMAScript's `JSON.stringify` does, and numbers are written as ECMAScript's Number-to-String.
/// `.integer` values are written exactly, even beyond 2^53 where JCS would first round them to
/// a double: the bus never produces such integers, and rounding silently would be worse.
public enum CanonicalJSON {
    /// The canonical UTF-8 bytes of `value`. Throws for NaN and infinities, which JSON cannot hold.
    public static func serialize(_ value: JSONValue) throws -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(256)
        try write(value, into: &out)
        return out
    }

    /// The canonical form as a string.
    public static func string(_ value: JSONValue) throws -> String {
        String(decoding: try serialize(value), as: UTF8.self)
    }

    /// Lowercase hex of the SHA-256 of the canonical bytes (the audit chain's `hash`).
    public static func sha256Hex(_ value: JSONValue) throws -> String {
        Hex.encode(SHA256.hash(data: try serialize(value)))
    }

    private static func write(_ value: JSONValue, into out: inout [UInt8]) throws {
        switch value {
        case .null:
            out.append(contentsOf: "null".utf8)
        case .bool(let b):
            out.append(contentsOf: (b ? "true" : "false").utf8)
        case .integer(let i):
            out.append(contentsOf: String(i).utf8)
        case .number(let d):
            out.append(contentsOf: try ECMAScriptNumber.string(d).utf8)
        case .string(let s):
            writeString(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                try write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            for (index, key) in keys.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                try write(members[key]!, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Writes a JSON string literal escaped as JCS (section 3.2.2.2) requires.
    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])  // \"
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])  // \\
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x00..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(Hex.digits[Int(byte >> 4)])
                out.append(Hex.digits[Int(byte & 0x0F)])
            default:
                // Multi-byte UTF-8 passes through untouched: JCS does not escape non-ASCII.
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Lowercase hexadecimal, as used for digests, fingerprints and serials.
public enum Hex {
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
