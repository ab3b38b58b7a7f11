/// Collects `FieldProblem`s while checking raw JSON member by member.
struct ProblemList {
    private(set) var problems: [FieldProblem] = []

    mutating func add(_ pointer: String, _ reason: String) {
        problems.append(FieldProblem(pointer: pointer, reason: reason))
    }

    /// The string member `key` of `object`, reporting it missing (when required) or not a string.
    @discardableResult
    mutating func string(_ object: [String: JSONValue], _ key: String, at base: String, required: Bool = true) -> String? {
        let pointer = JSONPointer.appending(key, to: base)
        guard let value = object[key] else {
            if required { add(pointer, "is required") }
            return nil
        }
        guard let s = value.stringValue else {
            add(pointer, "must be a string")
            return nil
        }
        return s
    }

    /// The optional boolean member `key`, reporting it when present and not a boolean.
    @discardableResult
    mutating func bool(_ object: [String: JSONValue], _ key: String, at base: String) -> Bool? {
        guard let value = object[key] else { return nil }
        guard case .bool(let b) = value else {
            add(JSONPointer.appending(key, to: base), "must be true or false")
            return nil
        }
        return b
    }

    /// The member `key` read as one of an enumeration's raw values, reporting the allowed values.
    @discardableResult
    mutating func oneOf<E: RawRepresentable & CaseIterable>(
        _ object: [String: JSONValue], _ key: String, _: E.Type, at base: String, required: Bool
    ) -> E? where E.RawValue == String {
        guard let s = string(object, key, at: base, required: required) else { return nil }
        if let e = E(rawValue: s) { return e }
        let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
        add(JSONPointer.appending(key, to: base), "unknown value \(s); must be one of \(allowed)")
        return nil
    }

    /// Reports every member of `object` not in `allowed`, sorted by name.
    mutating func unknownMembers(_ object: [String: JSONValue], allowed: Set<String>, at base: String) {
        for key in object.keys.sorted() where !allowed.contains(key) {
            add(JSONPointer.appending(key, to: base), "unknown member")
        }
    }
}
