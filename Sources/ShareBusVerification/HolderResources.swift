public import ShareBusCore

/// Which resources hold a holder's certificates and materials, and how their records are listed.
///
/// An e-certificate resource is one of category `certificate` with a `holderId` field; a materials
/// resource (`base.materials`) is one with `holderId` and `materialType` fields. Both share the field
/// names of Catalogs/README.md: primary key (the number), `issuer`, `issueDate`, `expiryDate`,
/// `status`, `fileSha256`.
public enum HolderResources {
    public enum Kind: Sendable { case certificate, material }

    public static func kind(of resource: Resource) -> Kind? {
        guard resource.field(named: "holderId") != nil else { return nil }
        if resource.category == .certificate { return .certificate }
        if resource.field(named: "materialType") != nil { return .material }
        return nil
    }

    /// One item of a holder's materials: `{resource, type, number, issuer, issueDate, expiryDate,
    /// status, sha256}`, each member only when the subscription lets the caller read it.
    ///
    /// A subscription with `query` permission shows its granted fields (and the number, the primary
    /// key); one with `verify` permission only shows no stored value at all (protocol section 5), so
    /// its items say only that a certificate or material of that resource is on file.
    public static func item(_ record: [String: JSONValue], resource: Resource, kind: Kind, subscription: Subscription) -> [String: JSONValue] {
        var item: [String: JSONValue] = ["resource": .string(resource.code)]
        if kind == .certificate { item["type"] = .string(resource.code) }
        guard subscription.has(.query) else { return item }
        let visible = subscription.filter(record: record, resource: resource)
        if kind == .material, let type = visible["materialType"] { item["type"] = type }
        if let number = visible[resource.primaryKey] { item["number"] = number }
        for name in ["issuer", "issueDate", "expiryDate", "status"] {
            if let value = visible[name] { item[name] = value }
        }
        if let sha256 = visible["fileSha256"] { item["sha256"] = sha256 }
        return item
    }

    /// Whether a certificate record is current on `today`: status `valid` and `expiryDate`, when it
    /// has one, not before today (a certificate is valid through its expiry day).
    public static func isCurrent(_ record: [String: JSONValue], today: LocalDate) -> Bool {
        guard record["status"]?.stringValue == "valid" else { return false }
        guard let expiry = record["expiryDate"], !expiry.isNull else { return true }
        guard let text = expiry.stringValue, let date = LocalDate(text) else { return false }
        return date >= today
    }

    /// The record a check by holder answers about: a current one before others, then the latest
    /// issued, then the latest written.
    public static func choose(_ records: [(record: [String: JSONValue], sequence: Int64)], today: LocalDate) -> [String: JSONValue]? {
        records.max { a, b in
            let (ca, cb) = (isCurrent(a.record, today: today), isCurrent(b.record, today: today))
            if ca != cb { return !ca }
            let (ia, ib) = (a.record["issueDate"]?.stringValue ?? "", b.record["issueDate"]?.stringValue ?? "")
            if ia != ib { return ia < ib }
            return a.sequence < b.sequence
        }?.record
    }
}
