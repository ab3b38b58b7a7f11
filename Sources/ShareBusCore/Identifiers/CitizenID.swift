/// GB 11643-1999 citizen identity numbers (公民身份号码): six digits of the issuing division,
/// an eight-digit birth date, a three-digit sequence and an ISO 7064 MOD 11-2 check character.
public enum CitizenID {
    /// Weights 2^(17-i) mod 11 of ISO 7064 MOD 11-2, for positions 1...17.
    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    /// The check character for each value of the weighted sum mod 11.
    static let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]
    static let earliestBirthYear = 1900

    /// Nil when `s` is a valid number; otherwise a human reason naming the first thing wrong.
    ///
    /// A lowercase `x` check character is rejected: the standard writes it uppercase and the bus
    /// stores one spelling per person. Callers that accept hand-typed input call `normalize` first.
    /// - Parameter today: the day birth dates may not be after; pass it from the request's clock.
    public static func validate(_ s: String, divisions: DivisionTable = .shared, today: LocalDate = .today()) -> String? {
        let chars = Array(s)
        guard chars.count == 18, chars[0..<17].allSatisfy(\.isASCIIDigit) else {
            return "must be 17 digits followed by a digit or X"
        }
        if chars[17] == "x" { return "check character must be an uppercase X" }
        guard chars[17].isASCIIDigit || chars[17] == "X" else { return "must be 17 digits followed by a digit or X" }

        let division = String(chars[0..<6])
        guard divisions.acceptsIssuingDivision(division) else { return "division prefix \(division) unknown" }

        let birth = String(chars[6..<14])
        guard let born = LocalDate(compact: birth) else { return "birth date \(birth) does not exist" }
        if born.year < earliestBirthYear { return "birth date \(birth) is before \(earliestBirthYear)" }
        if born > today { return "birth date \(birth) is in the future" }

        let expected = checkCharacter(for: String(chars[0..<17]))
        if let expected, expected != chars[17] { return "check character should be \(expected)" }
        return nil
    }

    public static func isValid(_ s: String, divisions: DivisionTable = .shared, today: LocalDate = .today()) -> Bool {
        validate(s, divisions: divisions, today: today) == nil
    }

    /// The form to store and compare: surrounding whitespace removed, check character `x` uppercased.
    public static func normalize(_ s: String) -> String {
        s.trimmingWhitespace().uppercased()
    }

    /// The ISO 7064 MOD 11-2 check character for the first 17 digits, nil if they are not 17 digits.
    public static func checkCharacter(for first17: String) -> Character? {
        let chars = Array(first17)
        guard chars.count == 17 else { return nil }
        var sum = 0
        for (c, w) in zip(chars, weights) {
            guard let v = c.asciiDigitValue else { return nil }
            sum += v * w
        }
        return checkCharacters[sum % 11]
    }

    /// The birth date a number carries, if it is a real date.
    public static func birthDate(of s: String) -> LocalDate? {
        let chars = Array(s)
        guard chars.count == 18 else { return nil }
        return LocalDate(compact: String(chars[6..<14]))
    }
}

extension Character {
    var isASCIIDigit: Bool { asciiDigitValue != nil }
    var asciiDigitValue: Int? {
        guard let a = asciiValue, a >= 0x30, a <= 0x39 else { return nil }
        return Int(a - 0x30)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
