/// Text IP addresses to the network-order bytes a SAN `iPAddress` holds.
enum IPAddressBytes {
    static func parse(_ text: String) -> [UInt8]? {
        if text.contains(":") { return parseIPv6(text) }
        return parseIPv4(text)
    }

    static func parseIPv4(_ text: some StringProtocol) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes = [UInt8]()
        for part in parts {
            // No leading zeros: "010" is octal to some parsers and decimal to others.
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCII), part.allSatisfy(\.isNumber),
                part.count == 1 || part.first != "0", let value = UInt8(part)
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    static func parseIPv6(_ text: String) -> [UInt8]? {
        var head = Substring(text)
        var tail: Substring = ""
        var compressed = false
        if let range = text.range(of: "::") {
            compressed = true
            head = text[..<range.lowerBound]
            tail = text[range.upperBound...]
            if tail.contains("::") { return nil }
        }
        func groups(_ part: Substring) -> [UInt8]? {
            if part.isEmpty { return [] }
            var out = [UInt8]()
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, piece.contains(".") {
                    guard let v4 = parseIPv4(piece) else { return nil }
                    out += v4
                    continue
                }
                guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                out += [UInt8(value >> 8), UInt8(value & 0xFF)]
            }
            return out
        }
        guard let first = groups(head), let last = groups(tail) else { return nil }
        if compressed {
            guard first.count + last.count <= 14 else { return nil }
            return first + [UInt8](repeating: 0, count: 16 - first.count - last.count) + last
        }
        return first.count == 16 ? first : nil
    }
}
