import Foundation

/// Checks a resource description as raw JSON, before decoding, so that every problem is named
/// with its pointer (an unknown type string or a missing member would otherwise stop a decoder at
/// the first one).
public enum ResourceValidator {
    static let topLevelMembers: Set<String> = [
        "code", "name", "category", "provider", "description", "primaryKey", "fields", "sharing", "open",
        "updateCycle", "version", "status",
    ]
    static let sharingMembers: Set<String> = ["type", "conditions", "basis"]
    /// Field types a primary key may not have: a key must be a single comparable value.
    static let nonScalarTypes: Set<Resource.FieldType> = [.object, .array, .geoPoint]

    /// Every problem with `json` as a resource description; empty means it decodes and is sound.
    /// - Parameter knownProviders: when given, `provider` must be one of these department ids.
    public static func validate(_ json: JSONValue, knownProviders: Set<String>? = nil) -> [FieldProblem] {
        guard let object = json.objectValue else { return [FieldProblem(pointer: "", reason: "resource must be a JSON object")] }
        var p = ProblemList()
        if let code = p.string(object, "code", at: ""), !isValidCode(code) {
            p.add("/code", "must be lowercase dotted segments like base.population ([a-z][a-z0-9]*(.[a-z0-9-]+)+)")
        }
        if let name = p.string(object, "name", at: ""), name.trimmingWhitespace().isEmpty { p.add("/name", "must not be empty") }
        p.oneOf(object, "category", Resource.Category.self, at: "", required: true)
        if let provider = p.string(object, "provider", at: "") {
            if !DepartmentID.isValid(provider) {
                p.add("/provider", "must be a department id ([a-z0-9][a-z0-9.-]{1,63})")
            } else if let knownProviders, !knownProviders.contains(provider) {
                p.add("/provider", "department \(provider) is not known to the bus")
            }
        }
        p.string(object, "description", at: "", required: false)
        let primaryKey = p.string(object, "primaryKey", at: "")
        let fields = FieldsCheck.run(object["fields"], into: &p)
        // With no usable field the fields problem already explains a dangling key.
        if let primaryKey, let fields, !fields.isEmpty { checkPrimaryKey(primaryKey, fields: fields, into: &p) }
        checkSharing(object["sharing"], into: &p)
        p.bool(object, "open", at: "")
        p.oneOf(object, "updateCycle", Resource.UpdateCycle.self, at: "", required: true)
        if let version = object["version"] {
            if FieldValueCheck.integerProblem(version) != nil || (version.doubleValue ?? 0) < 1 {
                p.add("/version", "must be an integer of at least 1")
            }
        }
        p.oneOf(object, "status", Resource.Status.self, at: "", required: false)
        p.unknownMembers(object, allowed: topLevelMembers, at: "")
        return p.problems
    }

    /// The resource `json` describes, or `ShareBusError.invalidResource` naming every problem.
    /// Absent optional members take their protocol defaults: `open` false, `version` 1, `status` draft.
    public static func decode(_ json: JSONValue, knownProviders: Set<String>? = nil) throws -> Resource {
        let problems = validate(json, knownProviders: knownProviders)
        guard problems.isEmpty, var object = json.objectValue else { throw ShareBusError.invalidResource(problems) }
        if object["open"] == nil { object["open"] = .bool(false) }
        if object["version"] == nil { object["version"] = .integer(1) }
        if object["status"] == nil { object["status"] = .string(Resource.Status.draft.rawValue) }
        do {
            let data = try JSONEncoder().encode(JSONValue.object(object))
            return try JSONDecoder().decode(Resource.self, from: data)
        } catch {
            // Validation should have caught anything a decoder rejects; say so rather than crash.
            throw ShareBusError.invalidResource([FieldProblem(pointer: "", reason: "does not decode as a resource: \(error)")])
        }
    }

    /// `[a-z][a-z0-9]*(\.[a-z0-9-]+)+`.
    static func isValidCode(_ code: String) -> Bool {
        let segments = code.split(separator: ".", omittingEmptySubsequences: false).map { Array($0.utf8) }
        guard segments.count >= 2, let first = segments.first, let head = first.first, isLower(head),
            first.allSatisfy({ isLower($0) || isDigit($0) })
        else { return false }
        return segments.dropFirst().allSatisfy { !$0.isEmpty && $0.allSatisfy { isLower($0) || isDigit($0) || $0 == UInt8(ascii: "-") } }
    }

    static func isLower(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7A }
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private static func checkPrimaryKey(_ key: String, fields: [FieldsCheck.Summary], into p: inout ProblemList) {
        guard let field = fields.first(where: { $0.name == key }) else {
            p.add("/primaryKey", "names no field of this resource: \(key)")
            return
        }
        if !field.required { p.add("/primaryKey", "primary key field \(key) must be required: true") }
        if let type = field.type, nonScalarTypes.contains(type) {
            p.add("/primaryKey", "primary key field \(key) has type \(type.rawValue); a key must be a scalar")
        }
    }

    private static func checkSharing(_ value: JSONValue?, into p: inout ProblemList) {
        guard let value else { return p.add("/sharing", "is required") }
        guard let sharing = value.objectValue else { return p.add("/sharing", "must be an object") }
        let kind = p.oneOf(sharing, "type", Resource.Sharing.Kind.self, at: "/sharing", required: true)
        p.string(sharing, "conditions", at: "/sharing", required: false)
        let basis = p.string(sharing, "basis", at: "/sharing", required: false)
        // A basis that is present but not a string has been reported already.
        if kind == .conditional, sharing["basis"] == nil || basis?.trimmingWhitespace().isEmpty == true {
            p.add("/sharing/basis", "conditional sharing must carry a basis (the legal or policy ground)")
        }
        p.unknownMembers(sharing, allowed: sharingMembers, at: "/sharing")
    }
}
