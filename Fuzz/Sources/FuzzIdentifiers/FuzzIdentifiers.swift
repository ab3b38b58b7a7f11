import FuzzSupport
import ShareBusCore

// GB 11643 citizen ids, GB 32100 credit codes (with their GB 11714 organization codes) and GB/T
// 2260 division codes, against the slow references of ReferenceIdentifiers. The first byte picks:
// - text mode: the rest as a string (lossy UTF-8) and as a citizen id or credit code built from
//   the bytes' alphabet positions; `validate` must agree with the reference on every input,
//   `normalize` must be idempotent, and a valid id must stay valid after normalising;
// - check mode: the check character functions against the defining equations, and every other
//   check character in the last position must be refused.

let divisions = DivisionTable.shared
let today = LocalDate(year: 2026, month: 11, day: 26)!
let digits = Array("0123456789".unicodeScalars)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIdentifiers(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var reader = ByteReader(Array(UnsafeBufferPointer(start: data, count: size)))
    let mode = reader.byte()
    let rest = reader.remaining
    if mode & 1 == 0 {
        compare(String(decoding: rest, as: UTF8.self))
        // The same bytes spelled in each alphabet, so valid-looking numbers are common.
        compare(String(String.UnicodeScalarView(rest.prefix(18).map { digits[Int($0) % 10] })) + (rest.count > 18 ? "X" : ""))
        compare(String(String.UnicodeScalarView(rest.prefix(18).map { ReferenceIdentifiers.creditAlphabet[Int($0) % 31] })))
    } else {
        checkCharacters(rest)
    }
    return 0
}

func compare(_ s: String) {
    let citizen = CitizenID.validate(s, divisions: divisions, today: today)
    let citizenReference = ReferenceIdentifiers.citizenIDIsValid(s, divisions: divisions, today: today)
    invariant((citizen == nil) == citizenReference, "citizen id \(s.debugDescription): bus says \(citizen ?? "valid"), reference \(citizenReference)")
    let normalized = CitizenID.normalize(s)
    invariant(CitizenID.normalize(normalized) == normalized, "normalize is not idempotent on \(s.debugDescription)")
    if citizenReference { invariant(normalized == s, "a valid id changed when normalised") }

    let credit = CreditCode.validate(s, divisions: divisions)
    let creditReference = ReferenceIdentifiers.creditCodeIsValid(s, divisions: divisions)
    invariant((credit == nil) == creditReference, "credit code \(s.debugDescription): bus says \(credit ?? "valid"), reference \(creditReference)")

    let isSixDigits = s.utf8.count == 6 && s.utf8.allSatisfy(ReferenceIdentifiers.isDigit)
    let division = divisions.problem(with: s)
    invariant((division == nil) == (isSixDigits && divisions.contains(s)), "division \(s.debugDescription): \(division ?? "valid")")
    if let entry = divisions.entry(for: s) {
        invariant(entry.code == s, "entry under \(s) is \(entry.code)")
        if let parent = entry.parent { invariant(divisions.contains(parent), "\(s)'s parent \(parent) is not in the table") }
        invariant((entry.level == .province) == s.hasSuffix("0000"), "\(s) level \(entry.level)")
    }
}

func checkCharacters(_ bytes: [UInt8]) {
    let first17 = bytes.prefix(17).map { UInt8(ascii: "0") + $0 % 10 }
    let citizen = CitizenID.checkCharacter(for: String(decoding: first17, as: UTF8.self))
    invariant(citizen == ReferenceIdentifiers.citizenCheck(first17), "citizen check for \(first17): \(citizen.map(String.init) ?? "nil")")

    let credit17 = bytes.prefix(17).map { ReferenceIdentifiers.creditAlphabet[Int($0) % 31] }
    let credit = CreditCode.checkCharacter(for: String(String.UnicodeScalarView(credit17)))
    invariant(credit == ReferenceIdentifiers.creditCheck(credit17), "credit check for \(credit17): \(credit.map(String.init) ?? "nil")")

    let letters = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".unicodeScalars)
    let org8 = bytes.prefix(8).map { letters[Int($0) % 36] }
    let org = OrganizationCode.checkCharacter(for: String(String.UnicodeScalarView(org8)))
    invariant(org == ReferenceIdentifiers.organizationCheck(org8), "organization check for \(org8): \(org.map(String.init) ?? "nil")")

    // A well-formed id (a real division and birth date from the input) is valid with its check
    // character and with no other.
    guard first17.count == 17, citizen != nil else { return }
    let codes = ["110101", "440513", "640104", "810000", "230000"]
    let division = codes[Int(bytes[0]) % codes.count]
    let year = 1900 + Int(bytes[1]) % 126, month = 1 + Int(bytes[2]) % 12
    let day = 1 + Int(bytes[3]) % ReferenceIdentifiers.daysIn(month: month, year: year)
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    let body = division + String(year) + two(month) + two(day) + String(decoding: first17.suffix(3), as: UTF8.self)
    guard let right = CitizenID.checkCharacter(for: body) else { fatalError("invariant broken: no check character for \(body)") }
    for candidate in Array("0123456789X") {
        let valid = CitizenID.isValid(body + String(candidate), divisions: divisions, today: today)
        invariant(valid == (candidate == right), "\(body)\(candidate) valid: \(valid), right check is \(right)")
    }
}
