/// Checks a record (one row of a resource, as it travels in an envelope) against its resource's schema.
public enum RecordValidator {
    /// Every problem with `record`, each located by an RFC 6901 pointer under `path`
    /// (e.g. `/operations/3/record/idNumber` when `path` is `/operations/3/record`).
    ///
    /// Problems come in schema field order, then unknown members sorted by name, so the same
    /// record always yields the same list.
    public static func validate(
        _ record: JSONValue, against resource: Resource, path: String = "", check: FieldValueCheck = FieldValueCheck()
    ) -> [FieldProblem] {
        guard let object = record.objectValue else {
            return [FieldProblem(pointer: path, reason: "record must be a JSON object")]
        }
        var problems: [FieldProblem] = []
        for field in resource.fields {
            let pointer = JSONPointer.appending(field.name, to: path)
            guard let value = object[field.name], !value.isNull else {
                if field.required {
                    let reason = object[field.name] == nil ? "required field is missing" : "required field must not be null"
                    problems.append(FieldProblem(pointer: pointer, reason: reason))
                }
                continue
            }
            if let reason = check.problem(with: value, type: field.type, values: field.values) {
                problems.append(FieldProblem(pointer: pointer, reason: reason))
            }
        }
        let known = Set(resource.fields.map(\.name))
        for name in object.keys.sorted() where !known.contains(name) {
            problems.append(FieldProblem(pointer: JSONPointer.appending(name, to: path), reason: "unknown field for \(resource.code)"))
        }
        return problems
    }

    /// Problems with the key of a delete (or a query): a non-null value fitting the primary key field.
    public static func validateKey(
        _ key: JSONValue, resource: Resource, path: String = "", check: FieldValueCheck = FieldValueCheck()
    ) -> [FieldProblem] {
        guard let field = resource.field(named: resource.primaryKey) else {
            return [FieldProblem(pointer: path, reason: "resource \(resource.code) has no primary key field \(resource.primaryKey)")]
        }
        if key.isNull { return [FieldProblem(pointer: path, reason: "key must not be null")] }
        guard let reason = check.problem(with: key, type: field.type, values: field.values) else { return [] }
        return [FieldProblem(pointer: path, reason: "key \(field.name): \(reason)")]
    }

    /// A key given as text (e.g. from a URL path): checked as a JSON string for string-like key
    /// types, and read as a number or boolean for `integer`, `number` and `boolean` keys.
    public static func validateKey(
        _ key: String, resource: Resource, path: String = "", check: FieldValueCheck = FieldValueCheck()
    ) -> [FieldProblem] {
        validateKey(keyValue(key, resource: resource), resource: resource, path: path, check: check)
    }

    /// The JSON value a textual key stands for, by the primary key field's type.
    public static func keyValue(_ key: String, resource: Resource) -> JSONValue {
        switch resource.field(named: resource.primaryKey)?.type {
        case .integer: if let i = Int64(key) { return .integer(i) }
        case .number: if let d = Double(key), d.isFinite { return .number(d) }
        case .boolean: if key == "true" || key == "false" { return .bool(key == "true") }
        default: break
        }
        return .string(key)
    }
}
