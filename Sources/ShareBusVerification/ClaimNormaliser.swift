import Foundation
public import ShareBusCore
import ShareBusCrypto

/// The one form in which a claimed value and a stored value are compared (documented in
/// docs/once-only.md). Both sides go through the same function, so a value always matches itself.
///
/// Text: Unicode NFKC (full-width letters, digits and punctuation become their ASCII forms, half-width
/// katakana full-width), the ideographic space U+3000 and every other white space counted as a space,
/// zero-width characters removed, the middle dots written between the parts of a name (·・•‧∙⋅)
/// unified as U+00B7, surrounding white space trimmed and inner runs of it made one space. Letter case
/// is kept, except for identifiers: citizen ids and credit codes are compared upper-cased (`x`/`X`).
/// Dates become `YYYY-MM-DD`; numbers, booleans and date-times their canonical forms.
public enum ClaimNormaliser {
    /// The normal form of `value` as a value of a field of `type`; nil when such a field cannot be
    /// verified at all (objects, arrays, points) or the value is not a scalar.
    public static func normalise(_ value: JSONValue, type: Resource.FieldType) -> String? {
        switch type {
        case .object, .array, .geoPoint: return nil
        default: break
        }
        guard let raw = scalarText(value) else { return nil }
        let text = self.text(raw)
        switch type {
        case .citizenId, .creditCode:
            return text.uppercased()
        case .string:
            return identifierForm(text) ?? text
        case .date:
            return date(text) ?? text
        case .datetime:
            return Formats.parseDateTime(text).map(Formats.formatDateTimeMillis) ?? text
        case .integer, .number:
            return number(value, text: text) ?? text
        case .boolean:
            if case .bool(let b) = value { return b ? "true" : "false" }
            let lower = text.lowercased()
            return lower == "true" || lower == "false" ? lower : text
        case .phone:
            return text.filter { $0 != " " && $0 != "-" }
        case .enum, .divisionCode:
            return text
        case .object, .array, .geoPoint:
            return nil
        }
    }

    /// Whether a field of `type` can be verified.
    public static func isVerifiable(_ type: Resource.FieldType) -> Bool {
        switch type {
        case .object, .array, .geoPoint: false
        default: true
        }
    }

    /// The text of a scalar JSON value; nil for null, objects and arrays.
    static func scalarText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s): return s
        case .integer(let i): return String(i)
        case .number(let d): return (try? ECMAScriptNumber.string(d)) ?? String(d)
        case .bool(let b): return b ? "true" : "false"
        case .null, .object, .array: return nil
        }
    }

    /// Middle dots used between the parts of a transliterated or minority name.
    static let middleDots: Set<Unicode.Scalar> = ["\u{00B7}", "\u{2027}", "\u{30FB}", "\u{FF65}", "\u{2022}", "\u{2219}", "\u{22C5}", "\u{0387}"]
    /// Characters that print as nothing.
    static let zeroWidth: Set<Unicode.Scalar> = ["\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{FEFF}", "\u{00AD}"]

    /// Text normalisation shared by every type (see the type's comment).
    public static func text(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 < 0x80 }) { return asciiText(s) }
        return unicodeText(s)
    }

    /// `text` for ASCII, where NFKC changes nothing and there are no zero-width characters or
    /// middle dots: white space (tab, line feed, vertical tab, form feed, carriage return, space)
    /// trimmed and its inner runs made one space, byte by byte.
    static func asciiText(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var pendingSpace = false
        for byte in s.utf8 {
            if byte == 0x20 || (0x09...0x0D).contains(byte) {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `text` for everything else, through Foundation's Unicode normalisation.
    static func unicodeText(_ s: String) -> String {
        // NFKC maps U+3000 to a space already; said explicitly because it is the case that matters most.
        // NFC again after NFKC: Foundation on Linux leaves a half-width voiced mark (ﾊﾟ) decomposed, and the
        // digests compare bytes, not Swift's canonically equivalent characters.
        let folded = s.replacingOccurrences(of: "\u{3000}", with: " ").precomposedStringWithCompatibilityMapping
            .precomposedStringWithCanonicalMapping
        var scalars = String.UnicodeScalarView()
        for scalar in folded.unicodeScalars where !zeroWidth.contains(scalar) {
            scalars.append(middleDots.contains(scalar) ? "\u{00B7}" : scalar)
        }
        var out = ""
        var pendingSpace = false
        for character in String(scalars) {
            if character.isWhitespace {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(character)
            }
        }
        return out
    }

    /// An identifier in a free-text field (a `holderId` that holds either kind): upper-cased when it
    /// is a citizen id with a lower-case check character or a credit code written in lower case.
    static func identifierForm(_ text: String) -> String? {
        guard text.utf8.count == 18, text.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        let upper = text.uppercased()
        guard upper != text else { return nil }
        let chars = Array(upper)
        let citizenShape = chars[0..<17].allSatisfy(\.isNumber) && chars[17] == "X"
        if citizenShape || CreditCode.isValid(upper) { return upper }
        return nil
    }

    /// `YYYY-MM-DD` for a real day written `YYYY-M-D` (separators `-`, `/`, `.` or any dash),
    /// `YYYY年M月D日` or `YYYYMMDD`; nil for anything else.
    public static func date(_ text: String) -> String? {
        var text = Substring(text)
        if text.hasSuffix("日") {
            guard text.contains("年") else { return nil }
            text = text.dropLast()
        }
        var fields = [""]
        for character in text {
            if character.isASCII, character.isNumber {
                fields[fields.count - 1].append(character)
            } else if dateSeparators.contains(character) {
                fields.append("")
            } else {
                return nil
            }
        }
        if fields.count == 1, fields[0].count == 8 {
            let s = Array(fields[0])
            fields = [String(s[0..<4]), String(s[4..<6]), String(s[6..<8])]
        }
        guard fields.count == 3, fields[0].count == 4, (1...2).contains(fields[1].count), (1...2).contains(fields[2].count),
            let year = Int(fields[0]), let month = Int(fields[1]), let day = Int(fields[2]),
            let date = LocalDate(year: year, month: month, day: day)
        else { return nil }
        return date.description
    }

    static let dateSeparators: Set<Character> = [
        "-", "/", ".", "年", "月", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2015}", "\u{2212}",
    ]

    /// The shortest round-trip form of a number, so that `100`, `100.0` and `"1e2"` agree.
    static func number(_ value: JSONValue, text: String) -> String? {
        if case .integer(let i) = value { return String(i) }
        let double: Double
        if case .number(let d) = value {
            double = d
        } else if let d = Double(text), d.isFinite {
            double = d
        } else {
            return nil
        }
        if double == double.rounded(), abs(double) < 9_007_199_254_740_992 { return String(Int64(double)) }
        return try? ECMAScriptNumber.string(double)
    }
}
