import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore

/// The payload of an envelope (protocol section 3), read strictly: exactly its members.
struct EnvelopeMessage {
    var id: String
    var sender: String
    var resource: String
    var createdAt: Date
    var operations: [JSONValue]

    static let members: Set<String> = ["id", "sender", "resource", "createdAt", "operations"]

    static func parse(_ payload: [UInt8]) throws -> EnvelopeMessage {
        let json: JSONValue
        do {
            json = try StrictJSON.parse(payload)
        } catch {
            throw ShareBusError(.malformedMessage, "the payload is not JSON: \(error)")
        }
        guard let object = json.objectValue else { throw ShareBusError(.malformedMessage, "the payload must be a JSON object") }
        var problems: [FieldProblem] = []
        for name in object.keys.sorted() where !members.contains(name) {
            problems.append(FieldProblem(pointer: "/\(name)", reason: "unknown member"))
        }
        let id = object["id"]?.stringValue
        if id.flatMap(UUID.init(uuidString:)) == nil { problems.append(FieldProblem(pointer: "/id", reason: "must be a UUID")) }
        let sender = object["sender"]?.stringValue
        if !(sender.map(DepartmentID.isValid) ?? false) {
            problems.append(FieldProblem(pointer: "/sender", reason: "must be a department id"))
        }
        let resource = object["resource"]?.stringValue
        if resource?.isEmpty ?? true { problems.append(FieldProblem(pointer: "/resource", reason: "must be a resource code")) }
        let createdAt = object["createdAt"]?.stringValue.flatMap(Formats.parseDateTime)
        if createdAt == nil { problems.append(FieldProblem(pointer: "/createdAt", reason: "must be an RFC 3339 date-time")) }
        let operations = object["operations"]?.arrayValue
        if let operations {
            for (index, operation) in operations.enumerated() {
                problems += formProblems(operation, pointer: "/operations/\(index)")
            }
        } else {
            problems.append(FieldProblem(pointer: "/operations", reason: "must be an array"))
        }
        guard problems.isEmpty, let id, let sender, let resource, let createdAt, let operations else {
            throw ShareBusError(.malformedMessage, problems.map(\.description).joined(separator: "; "), problems: problems)
        }
        return EnvelopeMessage(id: id, sender: sender, resource: resource, createdAt: createdAt, operations: operations)
    }

    /// `{"op": "upsert", "record": {...}}` or `{"op": "delete", "key": ...}`, nothing else.
    static func formProblems(_ operation: JSONValue, pointer: String) -> [FieldProblem] {
        guard let object = operation.objectValue else { return [FieldProblem(pointer: pointer, reason: "must be an object")] }
        switch object["op"]?.stringValue {
        case "upsert":
            guard Set(object.keys) == ["op", "record"], object["record"]?.objectValue != nil else {
                return [FieldProblem(pointer: pointer, reason: "an upsert has exactly op and record (an object)")]
            }
        case "delete":
            guard Set(object.keys) == ["op", "key"] else {
                return [FieldProblem(pointer: pointer, reason: "a delete has exactly op and key")]
            }
        default:
            return [FieldProblem(pointer: pointer + "/op", reason: "must be upsert or delete")]
        }
        return []
    }

    /// Every operation checked against the schema (all problems named), then made ready to store.
    static func validate(_ operations: [JSONValue], against resource: Resource) throws -> [AcceptedEnvelope.Operation] {
        var problems: [FieldProblem] = []
        var accepted: [AcceptedEnvelope.Operation] = []
        accepted.reserveCapacity(operations.count)
        let check = FieldValueCheck()
        for (index, operation) in operations.enumerated() {
            if let record = operation["record"] {
                let found = RecordValidator.validate(record, against: resource, path: "/operations/\(index)/record", check: check)
                problems += found
                if found.isEmpty, let key = record[resource.primaryKey].flatMap(keyText) {
                    accepted.append(.init(kind: .upsert, key: key, record: String(decoding: try CanonicalJSON.serialize(record), as: UTF8.self)))
                }
            } else if let key = operation["key"] {
                let found = RecordValidator.validateKey(key, resource: resource, path: "/operations/\(index)/key", check: check)
                problems += found
                if found.isEmpty, let text = keyText(key) { accepted.append(.init(kind: .delete, key: text, record: nil)) }
            }
        }
        guard problems.isEmpty else {
            throw ShareBusError(.schemaViolation, problems.map(\.description).joined(separator: "; "), problems: problems)
        }
        return accepted
    }

    /// The textual form of a primary key, under which the current record is filed.
    static func keyText(_ key: JSONValue) -> String? {
        switch key {
        case .string(let s): s
        case .integer(let i): String(i)
        case .bool(let b): String(b)
        case .number(let d): (try? ECMAScriptNumber.string(d))
        default: nil
        }
    }
}
