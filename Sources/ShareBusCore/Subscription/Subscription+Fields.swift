extension Subscription {
    /// The fields a record delivered to this subscription carries: the granted fields plus the
    /// primary key, in the resource's field order. Empty when `resource` is another resource.
    public func visibleFields(resource: Resource) -> [String] {
        guard resource.code == self.resource else { return [] }
        let granted = Set(grantedFields)
        return resource.fields.map(\.name).filter { $0 == resource.primaryKey || granted.contains($0) }
    }

    /// `record` cut down to `visibleFields(resource:)`. The one place field grants are enforced:
    /// pull, push, query and dead-letter replay all pass every record through here.
    ///
    /// Fails closed: members the schema does not name are dropped, and a subscription that is not
    /// active, or a resource that is not the subscription's, leaves nothing at all. (Callers still
    /// check `requireActive()` first, to answer an error rather than an empty record.)
    public func filter(record: [String: JSONValue], resource: Resource) -> [String: JSONValue] {
        guard status == .active else { return [:] }
        var kept: [String: JSONValue] = [:]
        for name in visibleFields(resource: resource) {
            if let value = record[name] { kept[name] = value }
        }
        return kept
    }
}
