import ShareBusCore

/// ECMAScript's Number::toString (ECMA-262 section 7.1.12.1), which RFC 8785 uses for numbers.
///
/// Swift's `description` of a `Double` already yields the shortest digit string that round-trips
/// (and the closest one when several are equally short), which is exactly what ECMAScript asks
/// for; only the layout of those digits differs, so this takes the digits apart and lays them out
/// again by ECMAScript's rules.
public enum ECMAScriptNumber {
    public static func string(_ value: Double) throws -> String {
        guard value.isFinite else {
            throw ShareBusError(.malformedRequest, "JSON cannot represent the number \(value)")
        }
        if value == 0 { return "0" }  // also -0, which ECMAScript writes as "0"
        let negative = value < 0
        let (digits, n) = shortestDigits(of: Swift.abs(value))
        let k = digits.count
        var out = negative ? "-" : ""
        if k <= n && n <= 21 {
            out += digits + String(repeating: "0", count: n - k)
        } else if 0 < n && n <= 21 {
            out += digits.prefix(n) + "." + digits.dropFirst(n)
        } else if -6 < n && n <= 0 {
            out += "0." + String(repeating: "0", count: -n) + digits
        } else {
            let exponent = n - 1
            let sign = exponent < 0 ? "-" : "+"
            out += digits.prefix(1)
            if k > 1 { out += "." + digits.dropFirst(1) }
            out += "e" + sign + String(Swift.abs(exponent))
        }
        return out
    }

    /// The decimal digits `s` (no leading or trailing zeros) and the exponent `n` such that
    /// `value == 0.s × 10^n`, as in ECMA-262's definition.
    static func shortestDigits(of value: Double) -> (digits: String, n: Int) {
        // `description` spells finite positive doubles as "123.45", "1e-07" or "1.2345e+30".
        let text = value.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let mantissa = parts[0]
        let exponent = parts.count == 2 ? Int(parts[1])! : 0
        let pointIndex = mantissa.firstIndex(of: ".")
        let integerPart = pointIndex.map { mantissa[..<$0] } ?? mantissa
        let fractionPart = pointIndex.map { mantissa[mantissa.index(after: $0)...] } ?? ""
        var all = Array(integerPart + fractionPart)
        var n = integerPart.count + exponent
        while let first = all.first, first == "0" {
            all.removeFirst()
            n -= 1
        }
        while let last = all.last, last == "0" { all.removeLast() }
        return (String(all), n)
    }
}
