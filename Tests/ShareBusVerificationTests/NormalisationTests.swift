import ShareBusCore
import Testing

@testable import ShareBusVerification

@Suite("Claims and stored values are compared in one normal form")
struct NormalisationTests {
    /// A claim, a stored value, the stored field's type, and whether they must be taken as equal.
    struct Case: Sendable, CustomTestStringConvertible {
        let rule: String
        let claim: JSONValue
        let stored: JSONValue
        let type: Resource.FieldType
        let equal: Bool
        var testDescription: String { "\(rule): \(claim) vs \(stored) (\(type.rawValue)) → \(equal ? "equal" : "different")" }

        init(_ rule: String, _ claim: JSONValue, _ stored: JSONValue, _ equal: Bool) {
            self.init(rule, claim, stored, .string, equal)
        }

        init(_ rule: String, _ claim: JSONValue, _ stored: JSONValue, _ type: Resource.FieldType, _ equal: Bool) {
            self.rule = rule
            self.claim = claim
            self.stored = stored
            self.type = type
            self.equal = equal
        }
    }

    static let cases: [Case] = [
        // Surrounding white space, including the ideographic space typed with a Chinese input method.
        Case("trailing space", "张三 ", "张三", true),
        Case("leading and trailing ideographic spaces", "\u{3000}张三\u{3000}", "张三", true),
        Case("tab and newline", "\t张三\n", "张三", true),
        Case("no-break space", "\u{00A0}李四", "李四", true),
        Case("zero-width space pasted from a web page", "王\u{200B}五", "王五", true),
        Case("inner white space runs become one space", "Zhang  San", "Zhang San", true),
        Case("an inner space is still a difference", "张 三", "张三", false),
        Case("another name", "张三", "张四", false),
        Case("a name that only begins alike", "张三丰", "张三", false),
        // Full-width and half-width forms (NFKC).
        Case("full-width Latin letters", "ＡＢＣ", "ABC", true),
        Case("full-width digits in an address", "兴庆区解放西街１２３号", "兴庆区解放西街123号", true),
        Case("half-width katakana", "ﾊﾟｽ", "パス", true),
        Case("full-width parentheses in a company name", "宁夏某某科技有限公司（银川分公司）", "宁夏某某科技有限公司(银川分公司)", true),
        Case("letter case of ordinary text is kept", "abc", "ABC", false),
        // Middle dots between the parts of a name.
        Case("katakana middle dot", "买买提・艾力", "买买提·艾力", true),
        Case("bullet as a middle dot", "阿依古丽•吐尔逊", "阿依古丽·吐尔逊", true),
        Case("hyphenation point", "爱新觉罗‧溥仪", "爱新觉罗·溥仪", true),
        // Check characters of identifiers.
        Case("lower-case x of a citizen id", "11010519491231002x", "11010519491231002X", .citizenId, true),
        Case("full-width citizen id", "１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X", .citizenId, true),
        Case("another citizen id", "110105194912310021", "11010519491231002X", .citizenId, false),
        Case("lower-case credit code", "91640100ma000001xy", "91640100MA000001XY", .creditCode, true),
        Case("a citizen id in a free-text holderId", "11010519491231002x", "11010519491231002X", .string, true),
        // Dates in the protocol's form.
        Case("same date", "1990-01-01", "1990-01-01", .date, true),
        Case("month and day without leading zeros", "1990-1-1", "1990-01-01", .date, true),
        Case("full-width digits and hyphens", "１９９０－０１－０１", "1990-01-01", .date, true),
        Case("slashes", "1990/01/01", "1990-01-01", .date, true),
        Case("Chinese form", "1990年1月1日", "1990-01-01", .date, true),
        Case("compact form", "19900101", "1990-01-01", .date, true),
        Case("another day", "1990-01-02", "1990-01-01", .date, false),
        Case("a day that does not exist", "1990-02-30", "1990-02-28", .date, false),
        Case("day and month swapped are not guessed", "01-01-1990", "1990-01-01", .date, false),
        // Other scalars.
        Case("integer and number", .number(100), .integer(100), .number, true),
        Case("number written as text", "100.0", .integer(100), .integer, true),
        Case("full-width digits of a number", "１００", .integer(100), .integer, true),
        Case("different numbers", .integer(101), .integer(100), .integer, false),
        Case("boolean written as text", "TRUE", .bool(true), .boolean, true),
        Case("phone with spaces and hyphens", "138 0013-8000", "13800138000", .phone, true),
        Case("date-time with an offset", "2026-01-01T08:00:00+08:00", "2026-01-01T00:00:00Z", .datetime, true),
        Case("enum value with a full-width space", "汉族\u{3000}", "汉族", .enum, true),
    ]

    @Test("normalisation rule", arguments: cases)
    func rule(_ c: Case) {
        let claim = ClaimNormaliser.normalise(c.claim, type: c.type)
        let stored = ClaimNormaliser.normalise(c.stored, type: c.type)
        #expect(claim != nil)
        #expect((claim == stored) == c.equal, "claim \(String(describing: claim)) stored \(String(describing: stored))")
        // The blind comparison agrees with the normal forms.
        let comparator = BlindComparator()
        #expect(comparator.equal(claim ?? "", stored) == c.equal)
    }

    @Test("objects, arrays and points cannot be verified, nor can null or nested claims")
    func notVerifiable() {
        #expect(ClaimNormaliser.normalise("x", type: .object) == nil)
        #expect(ClaimNormaliser.normalise("x", type: .geoPoint) == nil)
        #expect(ClaimNormaliser.normalise(.null, type: .string) == nil)
        #expect(ClaimNormaliser.normalise(.array([]), type: .string) == nil)
        #expect(!ClaimNormaliser.isVerifiable(.array))
        #expect(ClaimNormaliser.isVerifiable(.citizenId))
    }

    @Test("holder ids are compared upper-cased after NFKC and trimming")
    func holderIDs() {
        #expect(HolderID.normalise(" 11010519491231002x ") == "11010519491231002X")
        #expect(HolderID.normalise("９１６４０１００ＭＡ０００００１ＸＹ") == "91640100MA000001XY")
        let key = SubjectKey.random()
        #expect(key.digest(holderId: "11010519491231002x") == key.digest(holderId: "11010519491231002X"))
        #expect(key.digest(holderId: "11010519491231002X") != SubjectKey.random().digest(holderId: "11010519491231002X"), "keyed")
    }

    @Test("ASCII text takes a byte path that answers what the Unicode path answers")
    func asciiPathAgrees() {
        // Every ASCII byte, white space of each kind in runs and at both ends, and CR LF pairs.
        let alphabet = (0..<128).map { Character(Unicode.Scalar(UInt8($0))) } + [" ", " ", "\t", "\r\n", "a", "Z", "9"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let text = String((0..<Int.random(in: 0...24, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            #expect(ClaimNormaliser.asciiText(text) == ClaimNormaliser.unicodeText(text), "\(Array(text.utf8))")
        }
        #expect(ClaimNormaliser.text("  张 三 ") == "张 三", "non-ASCII still goes the Unicode way")
        #expect(ClaimNormaliser.text("\t A \r\n  B\u{0B} ") == "A B")
    }
}

@Suite("Constant-time comparison")
struct ComparatorTests {
    @Test("digests of equal values are equal, of different or missing values not")
    func blind() {
        let comparator = BlindComparator()
        #expect(comparator.equal("张三", "张三"))
        #expect(!comparator.equal("张三", "张四"))
        #expect(!comparator.equal("张三", nil), "a missing stored value never matches")
        #expect(!comparator.equal("", nil))
        #expect(comparator.digest("张三").count == 32)
    }

    @Test("the byte comparison looks at lengths and every byte")
    func constantTime() {
        #expect(ConstantTime.equal([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equal([0, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2], [1, 2, 3]))
        #expect(ConstantTime.equal([], []))
    }
}
