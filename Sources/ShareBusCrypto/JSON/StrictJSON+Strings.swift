/// String literals: escapes, surrogate pairs and UTF-8 validation.
extension StrictJSONParser {
    mutating func parseString() throws(StrictJSON.Error) -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: the run up to the first quote, backslash or control byte in one tight loop.
        // Most strings (names, base64url, ids) end there; one ASCII run needs no UTF-8 check at all.
        var ascii = true
        let stop = bytes.withUnsafeBufferPointer { buffer in
            var i = start
            while i < buffer.count {
                let b = buffer[i]
                if b == 0x22 || b == 0x5C || b < 0x20 { break }
                if b >= 0x80 { ascii = false }
                i += 1
            }
            return i
        }
        index = stop
        if stop < bytes.count, bytes[stop] == UInt8(ascii: "\"") {
            let run = bytes[start..<stop]
            let text: String
            if ascii {
                text = String(decoding: run, as: UTF8.self)
            } else {
                guard let valid = String(validating: run, as: UTF8.self) else {
                    throw StrictJSON.Error(message: "invalid UTF-8 in string", offset: start)
                }
                text = valid
            }
            index += 1
            return text
        }
        return try parseStringWithEscapes(runStart: start)
    }

    /// The general case, from `index` (an escape, a control byte or the end) with the bytes since
    /// `runStart` not yet taken.
    mutating func parseStringWithEscapes(runStart start: Int) throws(StrictJSON.Error) -> String {
        var result = ""
        var runStart = start
        func flush(_ parser: StrictJSONParser, upTo end: Int) throws(StrictJSON.Error) {
            guard runStart < end else { return }
            guard let run = String(validating: parser.bytes[runStart..<end], as: UTF8.self) else {
                throw StrictJSON.Error(message: "invalid UTF-8 in string", offset: runStart)
            }
            result += run
        }
        while true {
            guard let b = peek else { throw error("unterminated string") }
            switch b {
            case UInt8(ascii: "\""):
                try flush(self, upTo: index)
                index += 1
                return result
            case UInt8(ascii: "\\"):
                try flush(self, upTo: index)
                index += 1
                result.unicodeScalars.append(try parseEscape())
                runStart = index
            case 0x00..<0x20:
                throw error("unescaped control character in string")
            default:
                index += 1
            }
        }
    }

    mutating func parseEscape() throws(StrictJSON.Error) -> Unicode.Scalar {
        guard let b = peek else { throw error("unterminated escape") }
        index += 1
        switch b {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try parseHex4()
            if (0xD800..<0xDC00).contains(unit) {
                guard peek == UInt8(ascii: "\\") else { throw error("unpaired surrogate") }
                index += 1
                guard peek == UInt8(ascii: "u") else { throw error("unpaired surrogate") }
                index += 1
                let low = try parseHex4()
                guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
                return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!
            }
            guard let scalar = Unicode.Scalar(unit) else { throw error("unpaired surrogate") }
            return scalar
        default:
            throw error("invalid escape")
        }
    }

    mutating func parseHex4() throws(StrictJSON.Error) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let b = peek else { throw error("truncated \\u escape") }
            let digit: UInt32
            switch b {
            case 0x30...0x39: digit = UInt32(b - 0x30)
            case 0x41...0x46: digit = UInt32(b - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(b - 0x61 + 10)
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
