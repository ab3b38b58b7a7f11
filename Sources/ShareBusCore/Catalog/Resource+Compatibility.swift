extension Resource {
    /// Why this resource cannot replace `old` as a new version without breaking subscribers;
    /// empty means it can.
    ///
    /// Subscribers hold grants on field names and parse values by type, so a new version may only
    /// add optional fields (and widen enums). Anything else — a removed or retyped field, a field
    /// becoming required, a new required field, removed enum values, another primary key or another
    /// provider — needs a new resource code (protocol section 4).
    public func compatibilityProblems(from old: Resource) -> [String] {
        var problems: [String] = []
        if provider != old.provider { problems.append("provider changed from \(old.provider) to \(provider)") }
        if primaryKey != old.primaryKey { problems.append("primary key changed from \(old.primaryKey) to \(primaryKey)") }
        for before in old.fields {
            guard let after = field(named: before.name) else {
                problems.append("field \(before.name) removed")
                continue
            }
            if after.type != before.type {
                problems.append("field \(before.name) changed type from \(before.type.rawValue) to \(after.type.rawValue)")
            }
            if after.required && !before.required { problems.append("field \(before.name) became required") }
            if before.type == .enum, after.type == .enum {
                let kept = Set(after.values ?? [])
                let removed = (before.values ?? []).filter { !kept.contains($0) }
                if !removed.isEmpty {
                    problems.append("field \(before.name) no longer allows \(removed.joined(separator: ", "))")
                }
            }
        }
        for added in fields where added.required && old.field(named: added.name) == nil {
            problems.append("new field \(added.name) is required")
        }
        return problems
    }
}
