public import ShareBusCore

/// A strict RFC 8259 parser for bodies that are signed or hashed.
///
/// Foundation's parsers quietly keep the last of two members with the same name; for a signed
/// header that would let two readers see two different headers, so duplicates are refused here,
/// as are trailing bytes, invalid UTF-8, unpaired surrogates and nesting deeper than `maxDepth`.
public enum StrictJSON {
    public struct Error: Swift.Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        /// Byte offset in the input where the problem was seen.
        public var offset: Int
        public var description: String { "\(message) at byte \(offset)" }
    }

    public static func parse(_ bytes: some Collection<UInt8>, maxDepth: Int = 64) throws(StrictJSON.Error) -> JSONValue {
        var parser = StrictJSONParser(bytes: Array(bytes), maxDepth: maxDepth)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw parser.error("trailing data after the JSON value") }
        return value
    }
}

struct StrictJSONParser {
    let bytes: [UInt8]
    let maxDepth: Int
    var index = 0

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func error(_ message: String) -> StrictJSON.Error { StrictJSON.Error(message: message, offset: index) }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipWhitespace() {
        while let b = peek, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { index += 1 }
    }

    mutating func expect(_ literal: String) throws(StrictJSON.Error) {
        for byte in literal.utf8 {
            guard peek == byte else { throw error("invalid literal") }
            index += 1
        }
    }

    mutating func parseValue(depth: Int) throws(StrictJSON.Error) -> JSONValue {
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
        switch peek {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expect("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expect("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expect("null")
            return .null
        case .some(let b) where b == UInt8(ascii: "-") || (0x30...0x39).contains(b): return try parseNumber()
        case nil: throw error("unexpected end of input")
        default: throw error("unexpected character")
        }
    }

    mutating func parseObject(depth: Int) throws(StrictJSON.Error) -> JSONValue {
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let nameOffset = index
            let name = try parseString()
            guard members[name] == nil else {
                throw StrictJSON.Error(message: "duplicate member \"\(name)\"", offset: nameOffset)
            }
            skipWhitespace()
            guard peek == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            members[name] = try parseValue(depth: depth + 1)
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            default: throw error("expected ',' or '}'")
            }
        }
    }

    mutating func parseArray(depth: Int) throws(StrictJSON.Error) -> JSONValue {
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            default: throw error("expected ',' or ']'")
            }
        }
    }

    mutating func parseNumber() throws(StrictJSON.Error) -> JSONValue {
        let start = index
        var isInteger = true
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, (0x30...0x39).contains(first) else { throw error("invalid number") }
        index += 1
        if first != 0x30 { skipDigits() }
        if peek == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard try requireDigits() else { throw error("invalid number") }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard try requireDigits() else { throw error("invalid number") }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let integer = Int64(text) { return .integer(integer) }
        guard let double = Double(text), double.isFinite else { throw error("number out of range") }
        return .number(double)
    }

    mutating func skipDigits() {
        while let b = peek, (0x30...0x39).contains(b) { index += 1 }
    }

    mutating func requireDigits() throws(StrictJSON.Error) -> Bool {
        let start = index
        skipDigits()
        return index > start
    }
}
