extension Formats {
    /// A Chinese telephone number as a `phone` field holds it:
    /// - a mobile number `1[3-9]` + 9 digits, optionally after `+86` (and one space or hyphen);
    /// - a landline `0AA-NNNNNNNN` or `0AAA-NNNNNNN`: area code, hyphen, a 7-8 digit local number
    ///   not starting with 0, then optionally `-` and an extension of 1-6 digits.
    ///
    /// Area codes follow the national numbering plan: three digits only for 010 (Beijing) and
    /// 020-029, four digits (03xx-09xx) otherwise. Five-digit service numbers such as 12345 or 95588 are not
    /// subscriber numbers and are rejected.
    public static func isValidPhone(_ s: String) -> Bool {
        isMobile(s) || isLandline(s)
    }

    static func isMobile(_ s: String) -> Bool {
        var rest = Substring(s)
        if rest.hasPrefix("+86") {
            rest = rest.dropFirst(3)
            if rest.first == " " || rest.first == "-" { rest = rest.dropFirst() }
        }
        let b = Array(rest.utf8)
        return b.count == 11 && b[0] == UInt8(ascii: "1") && (UInt8(ascii: "3")...UInt8(ascii: "9")).contains(b[1])
            && isDigits(b[...])
    }

    static func isLandline(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false).map { Array($0.utf8) }
        guard parts.count == 2 || parts.count == 3 else { return false }
        let area = parts[0]
        let local = parts[1]
        guard isDigits(area[...]), area.first == UInt8(ascii: "0") else { return false }
        switch area.count {
        case 3: guard area[1] == UInt8(ascii: "1") ? area[2] == UInt8(ascii: "0") : area[1] == UInt8(ascii: "2") else { return false }
        case 4: guard area[1] >= UInt8(ascii: "3") else { return false }
        default: return false
        }
        guard (7...8).contains(local.count), isDigits(local[...]), local[0] != UInt8(ascii: "0") else { return false }
        if parts.count == 3 {
            let ext = parts[2]
            guard (1...6).contains(ext.count), isDigits(ext[...]) else { return false }
        }
        return true
    }

    private static func isDigits(_ b: ArraySlice<UInt8>) -> Bool {
        !b.isEmpty && b.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}
