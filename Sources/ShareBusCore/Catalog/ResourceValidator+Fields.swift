extension ResourceValidator {
    /// The checks of a resource's `fields` array.
    enum FieldsCheck {
        static let members: Set<String> = ["name", "title", "type", "required", "sensitivity", "values", "description"]

        /// What the primary key check needs to know of a field that has a string name.
        struct Summary {
            var name: String
            var type: Resource.FieldType?
            var required: Bool
        }

        /// Summaries of the named fields, or nil when `fields` is missing or not an array.
        static func run(_ value: JSONValue?, into p: inout ProblemList) -> [Summary]? {
            guard let value else {
                p.add("/fields", "is required")
                return nil
            }
            guard let fields = value.arrayValue else {
                p.add("/fields", "must be an array")
                return nil
            }
            if fields.isEmpty { p.add("/fields", "must list at least one field") }
            var summaries: [Summary] = []
            var seen: Set<String> = []
            for (index, field) in fields.enumerated() {
                let at = JSONPointer.appending(index, to: "/fields")
                guard let object = field.objectValue else {
                    p.add(at, "must be an object")
                    continue
                }
                let name = p.string(object, "name", at: at)
                if let name {
                    if !isValidFieldName(name) {
                        p.add(at + "/name", "must match [A-Za-z][A-Za-z0-9_]*")
                    } else if !seen.insert(name).inserted {
                        p.add(at + "/name", "duplicate field name \(name)")
                    }
                }
                p.string(object, "title", at: at, required: false)
                let type = p.oneOf(object, "type", Resource.FieldType.self, at: at, required: true)
                let required = p.bool(object, "required", at: at) ?? false
                p.oneOf(object, "sensitivity", Resource.Sensitivity.self, at: at, required: true)
                checkValues(object["values"], type: type, typeGiven: object["type"] != nil, at: at, into: &p)
                p.string(object, "description", at: at, required: false)
                p.unknownMembers(object, allowed: members, at: at)
                if let name { summaries.append(Summary(name: name, type: type, required: required)) }
            }
            return summaries
        }

        static func isValidFieldName(_ name: String) -> Bool {
            let b = Array(name.utf8)
            func isLetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
            guard let first = b.first, isLetter(first) else { return false }
            return b.allSatisfy { isLetter($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "_") }
        }

        /// `enum` fields need a non-empty list of distinct strings; other known types take none.
        private static func checkValues(_ value: JSONValue?, type: Resource.FieldType?, typeGiven: Bool, at: String, into p: inout ProblemList) {
            let pointer = at + "/values"
            guard type == .enum else {
                // With an unknown type the type itself is the problem; do not guess about values.
                if value != nil, type != nil { p.add(pointer, "only enum fields have values") }
                return
            }
            guard let value else { return p.add(pointer, "an enum field needs values") }
            guard let values = value.arrayValue else { return p.add(pointer, "must be an array of strings") }
            if values.isEmpty { p.add(pointer, "must list at least one value") }
            var seen: Set<String> = []
            for (index, item) in values.enumerated() {
                let itemPointer = JSONPointer.appending(index, to: pointer)
                guard let s = item.stringValue else {
                    p.add(itemPointer, "must be a string")
                    continue
                }
                if !seen.insert(s).inserted { p.add(itemPointer, "duplicate value \(s)") }
            }
        }
    }
}
