public import ShareBusCore

/// Slow, independent implementations of the identifier checks, written from the standards'
/// defining equations (not the weight tables the bus uses), for the fuzz targets to agree with.
public enum ReferenceIdentifiers {
    /// ISO 7064 MOD 11-2 (GB 11643): the check value c makes Σ a_i · 2^(18-i) + c ≡ 1 (mod 11).
    public static func citizenCheck(_ first17: [UInt8]) -> Character? {
        guard first17.count == 17, first17.allSatisfy(isDigit) else { return nil }
        var sum = 0
        for (i, b) in first17.enumerated() { sum += Int(b - 0x30) * power(2, 17 - i, modulo: 11) }
        for c in 0...10 where (sum + c) % 11 == 1 { return c == 10 ? "X" : Character(String(c)) }
        return nil
    }

    public static let creditAlphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY".unicodeScalars)

    /// GB 32100: Σ v_i · 3^(i-1) + v_18 ≡ 0 (mod 31) over the 31-character alphabet.
    public static func creditCheck(_ first17: [Unicode.Scalar]) -> Character? {
        guard first17.count == 17 else { return nil }
        var sum = 0
        for (i, s) in first17.enumerated() {
            guard let v = creditAlphabet.firstIndex(of: s) else { return nil }
            sum += v * power(3, i, modulo: 31)
        }
        for c in 0..<31 where (sum + c) % 31 == 0 { return Character(creditAlphabet[c]) }
        return nil
    }

    /// GB 11714: Σ v_i · 2^(9-i) + c ≡ 0 (mod 11), c = 10 written X; letters count A=10 ... Z=35.
    public static func organizationCheck(_ first8: [Unicode.Scalar]) -> Character? {
        guard first8.count == 8 else { return nil }
        var sum = 0
        for (i, s) in first8.enumerated() {
            let v: Int
            switch s.value {
            case 0x30...0x39: v = Int(s.value) - 0x30
            case 0x41...0x5A: v = Int(s.value) - 0x41 + 10
            default: return nil
            }
            sum += v * power(2, 8 - i, modulo: 11)
        }
        for c in 0...10 where (sum + c) % 11 == 0 { return c == 10 ? "X" : Character(String(c)) }
        return nil
    }

    /// GB 11643 in full: 17 digits and a check character, an issuing division (exact or its
    /// province), a real birth date from 1900 up to `today`, the right check character.
    public static func citizenIDIsValid(_ s: String, divisions: DivisionTable, today: LocalDate) -> Bool {
        let scalars = Array(s.unicodeScalars)
        guard scalars.count == 18, scalars.allSatisfy(\.isASCII) else { return false }
        let bytes = scalars.map { UInt8($0.value) }
        guard bytes[0..<17].allSatisfy(isDigit) else { return false }
        let division = String(decoding: bytes[0..<6], as: UTF8.self)
        guard divisions.contains(division) || divisions.contains(String(division.prefix(2)) + "0000") else { return false }
        let y = number(bytes[6..<10]), m = number(bytes[10..<12]), d = number(bytes[12..<14])
        guard y >= 1900, (1...12).contains(m), d >= 1, d <= daysIn(month: m, year: y) else { return false }
        guard (y, m, d) <= (today.year, today.month, today.day) else { return false }
        return citizenCheck(Array(bytes[0..<17])).map { String($0).utf8.first == bytes[17] } ?? false
    }

    /// GB 32100 in full: 18 alphabet characters, a registration authority of table 1, an
    /// organization type digit 1-9, a six-digit division (exact or its province), a valid GB 11714
    /// organization code, the right check character.
    public static func creditCodeIsValid(_ s: String, divisions: DivisionTable) -> Bool {
        let scalars = Array(s.unicodeScalars)
        guard scalars.count == 18, scalars.allSatisfy({ creditAlphabet.contains($0) }) else { return false }
        guard "123456789ANY".unicodeScalars.contains(scalars[0]) else { return false }
        guard ("1"..."9").contains(scalars[1]) else { return false }
        let division = String(String.UnicodeScalarView(scalars[2..<8]))
        guard division.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) else { return false }
        guard divisions.contains(division) || divisions.contains(String(division.prefix(2)) + "0000") else { return false }
        guard let org = organizationCheck(Array(scalars[8..<16])), Character(scalars[16]) == org else { return false }
        return creditCheck(Array(scalars[0..<17])) == Character(scalars[17])
    }

    public static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    public static func daysIn(month: Int, year: Int) -> Int {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    static func number(_ bytes: ArraySlice<UInt8>) -> Int { bytes.reduce(0) { $0 * 10 + Int($1 - 0x30) } }

    static func power(_ base: Int, _ exponent: Int, modulo: Int) -> Int {
        var result = 1
        for _ in 0..<exponent { result = result * base % modulo }
        return result
    }
}
