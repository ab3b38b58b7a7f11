import Foundation
import FuzzSupport
import ShareBusCore
import ShareBusCrypto

// What an envelope's payload goes through in Core (EnvelopeMessage lives in ShareBusDelivery and
// calls these): StrictJSON, the message's member checks (DepartmentID, RFC 3339 createdAt) and
// RecordValidator on each operation's record or key, for a resource with a field of every type and
// a primary key whose type the first byte picks. Invariants:
// - a record the validator accepts has a canonical form that parses back to a record the validator
//   accepts again, with the same canonical bytes (what is stored is what was checked);
// - an accepted record has its primary key, whose text form (the stored key) reads back, by the
//   path a query takes, to a key the validator accepts, with the same text;
// - a department id is accepted exactly when it matches [a-z0-9][a-z0-9.-]{1,63};
// - an accepted createdAt names an instant, and the bus's own spelling of it is accepted too.

let today = LocalDate(year: 2026, month: 11, day: 26)!
let check = FieldValueCheck(divisions: .shared, today: today)
let keyTypes: [Resource.FieldType] = [.citizenId, .string, .integer, .number, .boolean, .date, .creditCode, .divisionCode, .phone, .enum]

func resource(key: Resource.FieldType) -> Resource {
    var fields: [Resource.Field] = [
        .init(name: "key", type: key, required: true, values: key == .enum ? ["a", "b", "c"] : nil),
        .init(name: "name", type: .string, required: true),
    ]
    for type in Resource.FieldType.allCases {
        fields.append(.init(name: "f_" + type.rawValue, type: type, values: type == .enum ? ["甲", "乙", "x y"] : nil))
    }
    return Resource(
        code: "fuzz.record", name: "fuzz", category: .other, provider: "fuzz-dept", primaryKey: "key", fields: fields,
        sharing: .init(type: .unconditional), status: .published)
}
let resources = keyTypes.map(resource(key:))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecord(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var reader = ByteReader(Array(UnsafeBufferPointer(start: data, count: size)))
    let resource = resources[Int(reader.byte()) % resources.count]
    guard let message = try? StrictJSON.parse(reader.remaining) else { return 0 }
    if let sender = message["sender"]?.stringValue { checkDepartmentID(sender) }
    if let createdAt = message["createdAt"]?.stringValue { checkDateTime(createdAt) }
    let operations = message["operations"]?.arrayValue ?? [message]
    for operation in operations {
        if let record = operation["record"] { checkRecord(record, resource) }
        if let key = operation["key"] { checkKey(key, resource) }
    }
    return 0
}

func checkRecord(_ record: JSONValue, _ resource: Resource) {
    guard RecordValidator.validate(record, against: resource, check: check).isEmpty else { return }
    let canonical = JSONRoundTrip.check(record)
    let stored = try! StrictJSON.parse(canonical)
    let problems = RecordValidator.validate(stored, against: resource, check: check)
    invariant(problems.isEmpty, "an accepted record is refused after its round trip: \(problems)")
    guard let key = record["key"] else { fatalError("invariant broken: an accepted record has no primary key") }
    checkKey(key, resource, mustAccept: true)
}

func checkKey(_ key: JSONValue, _ resource: Resource, mustAccept: Bool = false) {
    let accepted = RecordValidator.validateKey(key, resource: resource, check: check).isEmpty
    if mustAccept { invariant(accepted, "the primary key of an accepted record is refused as a key: \(key)") }
    guard accepted else { return }
    guard let text = keyText(key) else { fatalError("invariant broken: accepted key \(key) has no text form") }
    let queried = RecordValidator.keyValue(text, resource: resource)
    let problems = RecordValidator.validateKey(text, resource: resource, check: check)
    invariant(problems.isEmpty, "stored key \(text.debugDescription) (from \(key)) is refused when queried: \(problems)")
    invariant(keyText(queried) == text, "stored key \(text.debugDescription) reads back as \(queried)")
}

/// The text a key is filed under (the bus's EnvelopeMessage.keyText, which is not public).
func keyText(_ key: JSONValue) -> String? {
    switch key {
    case .string(let s): s
    case .integer(let i): String(i)
    case .bool(let b): String(b)
    case .number(let d): try? ECMAScriptNumber.string(d)
    default: nil
    }
}

func checkDepartmentID(_ id: String) {
    let scalars = Array(id.unicodeScalars)
    func alnum(_ s: Unicode.Scalar) -> Bool { ("a"..."z").contains(s) || ("0"..."9").contains(s) }
    let reference = (2...64).contains(scalars.count) && alnum(scalars[0])
        && scalars.dropFirst().allSatisfy { alnum($0) || $0 == "." || $0 == "-" }
    invariant(DepartmentID.isValid(id) == reference, "department id \(id.debugDescription): bus \(DepartmentID.isValid(id))")
}

func checkDateTime(_ text: String) {
    let valid = Formats.isValidDateTime(text)
    let instant = Formats.parseDateTime(text)
    invariant(valid == (instant != nil), "isValidDateTime and parseDateTime disagree on \(text.debugDescription)")
    // Offsets can push years 0000 and 9999 out of the four-digit range the format can spell.
    guard let instant, let year = Int(text.prefix(4)), (1...9998).contains(year) else { return }
    let spelled = Formats.formatDateTimeMillis(instant)
    guard let back = Formats.parseDateTime(spelled) else { fatalError("invariant broken: the bus's own \(spelled) is refused") }
    invariant(abs(back.timeIntervalSince(instant)) <= 0.0005, "\(text) -> \(spelled) moved by \(back.timeIntervalSince(instant)) s")
}
