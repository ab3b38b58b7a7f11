import Foundation

/// ECMAScript Number::toString (ECMA-262 7.1.12.1) by brute force: the shortest digit string
/// that reads back as the same double, found by trying every precision of `%.*e`, then laid out
/// by the standard's four cases.
public enum ReferenceNumber {
    /// The digits `s` and exponent `n` with value 0.s × 10^n, shortest first.
    public static func shortestDigits(_ value: Double) -> (digits: String, n: Int) {
        for precision in 1...17 {
            let text = String(format: "%.\(precision - 1)e", value)
            guard Double(text) == value else { continue }
            let parts = text.split(separator: "e")
            var digits = parts[0].replacingOccurrences(of: ".", with: "")
            while digits.count > 1, digits.hasSuffix("0") { digits.removeLast() }
            return (digits, Int(parts[1])! + 1)
        }
        fatalError("no precision up to 17 round-trips \(value)")
    }

    public static func string(_ value: Double) -> String {
        if value == 0 { return "0" }
        if value < 0 { return "-" + string(-value) }
        let (s, n) = shortestDigits(value)
        return layout(digits: s, n: n)
    }

    public static func layout(digits s: String, n: Int) -> String {
        let k = s.count
        if k <= n && n <= 21 { return s + String(repeating: "0", count: n - k) }
        if 0 < n && n <= 21 { return String(s.prefix(n)) + "." + String(s.dropFirst(n)) }
        if -6 < n && n <= 0 { return "0." + String(repeating: "0", count: -n) + s }
        let e = n - 1
        let exponent = (e < 0 ? "-" : "+") + String(abs(e))
        return k == 1 ? s + "e" + exponent : String(s.prefix(1)) + "." + String(s.dropFirst()) + "e" + exponent
    }
}
