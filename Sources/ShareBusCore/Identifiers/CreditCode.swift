/// GB 32100-2015 unified social credit codes (统一社会信用代码):
/// position 1 registration authority, 2 organization type, 3-8 GB/T 2260 division,
/// 9-17 GB 11714 organization code (with its own check character), 18 check character.
public enum CreditCode {
    /// The 31 characters a credit code may use: digits and capitals without I, O, Z, S, V.
    public static let alphabet: [Character] = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    /// GB 32100 table 1 registration authorities: 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政,
    /// 6 旅游, 7 宗教, 8 工会, 9 市场监管 (工商), A 中央军委改革和编制办公室, N 农业, Y 其他.
    static let authorities: Set<Character> = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "N", "Y"]

    private static let values: [Character: Int] = Dictionary(
        uniqueKeysWithValues: alphabet.enumerated().map { ($0.element, $0.offset) })

    /// Nil when `s` is a valid code; otherwise a human reason naming the first thing wrong.
    public static func validate(_ s: String, divisions: DivisionTable = .shared) -> String? {
        let chars = Array(s)
        guard chars.count == 18, chars.allSatisfy({ values[$0] != nil }) else {
            return "must be 18 characters from 0-9 and A-Z without I, O, Z, S, V"
        }
        guard authorities.contains(chars[0]) else { return "registration authority code \(chars[0]) unknown" }
        // Organization types are defined per authority and new ones are added over time; every
        // type issued so far is a digit 1-9, so only that is checked.
        guard let type = chars[1].asciiDigitValue, type >= 1 else { return "organization type \(chars[1]) must be a digit 1-9" }

        let division = String(chars[2..<8])
        guard DivisionTable.isSixDigits(division) else { return "division code \(division) must be six digits" }
        // Same choice as for citizen ids: codes keep the division they were issued in, which may
        // since have been retired, so a known province is enough (see `acceptsIssuingDivision`).
        guard divisions.acceptsIssuingDivision(division) else { return "division code \(division) unknown" }

        if let problem = OrganizationCode.validate(String(chars[8..<17])) { return "organization code: \(problem)" }

        let expected = checkCharacter(for: String(chars[0..<17]))
        if let expected, expected != chars[17] { return "check character should be \(expected)" }
        return nil
    }

    public static func isValid(_ s: String, divisions: DivisionTable = .shared) -> Bool {
        validate(s, divisions: divisions) == nil
    }

    /// The check character (position 18) for the first 17 characters, nil unless they are 17
    /// characters of `alphabet`: 31 - (Σ value × weight mod 31), with 31 written as 0.
    public static func checkCharacter(for first17: String) -> Character? {
        let chars = Array(first17)
        guard chars.count == 17 else { return nil }
        var sum = 0
        for (c, w) in zip(chars, weights) {
            guard let v = values[c] else { return nil }
            sum += v * w
        }
        return alphabet[(31 - sum % 31) % 31]
    }
}

/// GB 11714-1997 organization codes (组织机构代码): eight digits or capital letters and a check
/// character, positions 9-17 of a credit code.
public enum OrganizationCode {
    static let weights = [3, 7, 9, 10, 5, 8, 4, 2]

    /// Nil when `s` is nine characters whose last is the right check character; otherwise why not.
    public static func validate(_ s: String) -> String? {
        let chars = Array(s)
        guard chars.count == 9, let expected = checkCharacter(for: String(chars[0..<8])) else {
            return "must be 8 digits or capital letters followed by a check character"
        }
        return expected == chars[8] ? nil : "check character should be \(expected)"
    }

    /// 11 - (Σ value × weight mod 11), with 10 written X and 11 written 0. Letters count A=10 ... Z=35.
    public static func checkCharacter(for first8: String) -> Character? {
        let chars = Array(first8)
        guard chars.count == 8 else { return nil }
        var sum = 0
        for (c, w) in zip(chars, weights) {
            guard let v = value(of: c) else { return nil }
            sum += v * w
        }
        switch 11 - sum % 11 {
        case 10: return "X"
        case 11: return "0"
        case let n: return Character(String(n))
        }
    }

    static func value(of c: Character) -> Int? {
        if let d = c.asciiDigitValue { return d }
        guard let a = c.asciiValue, a >= 0x41, a <= 0x5A else { return nil }
        return Int(a - 0x41) + 10
    }
}
