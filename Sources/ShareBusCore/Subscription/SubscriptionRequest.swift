/// A consumer's `POST /v1/subscriptions` body, checked against the resource it names:
/// `{"resource", "fields": [...], "permissions": [...], "purpose", "basis", "delivery": {...}, "start": "now"}`.
///
/// Made only by `parse(_:resource:)`, so a value of this type is always a valid request for that
/// resource; `SubscriptionLifecycle.open` then decides what becomes of it.
public struct SubscriptionRequest: Sendable, Hashable {
    /// The longest `purpose` or `basis` accepted, in characters.
    public static let maxTextLength = 500

    public let resource: String
    /// Field names asked for, unique, in the order asked. The primary key need not be among them:
    /// it is delivered anyway.
    public let fields: [String]
    public let permissions: [Subscription.Permission]
    public let purpose: String
    public let basis: String?
    /// `.pull` when the body has no `delivery`.
    public let delivery: Subscription.Delivery
    /// The body said `"start": "now"`: delivery starts at the resource's head when the
    /// subscription becomes active instead of at sequence 1. Not part of `Subscription`, so for a
    /// pending request whoever stores it keeps this flag beside it until the decision.
    public let startAtHead: Bool

    /// The cursor the subscription gets when it becomes active, `head` being the resource log's
    /// last sequence at that moment: `head` for `"start": "now"`, else 0 (the log from sequence 1).
    public func activationCursor(head: Int64) -> Int64 { startAtHead ? head : 0 }

    /// Checks every member and throws one `invalid-subscription` error naming every problem found.
    public static func parse(_ json: JSONValue, resource: Resource) throws -> SubscriptionRequest {
        var list = ProblemList()
        guard let body = json.objectValue else {
            throw ShareBusError(
                .invalidSubscription, "the request body must be a JSON object",
                problems: [FieldProblem(pointer: "", reason: "must be a JSON object")])
        }
        list.unknownMembers(body, allowed: ["resource", "fields", "permissions", "purpose", "basis", "delivery", "start"], at: "")

        if let code = list.string(body, "resource", at: ""), code != resource.code {
            list.add("/resource", "is \(code), but this request is for \(resource.code)")
        }
        let fields = list.uniqueStrings(body, "fields") { name in
            resource.field(named: name) == nil ? "unknown field \(name) of \(resource.code)" : nil
        }
        let permissionNames = list.uniqueStrings(body, "permissions") { name in
            Subscription.Permission(rawValue: name) == nil ? "unknown permission \(name); must be one of pull, push, query, verify" : nil
        }
        let permissions = permissionNames?.compactMap(Subscription.Permission.init(rawValue:))
        let purpose = list.text(body, "purpose", required: true)
        let basis = list.text(body, "basis", required: resource.sharing.type == .conditional)
        let delivery = list.delivery(body)
        var startAtHead = false
        if let start = body["start"], !start.isNull {
            if start.stringValue == "now" { startAtHead = true } else { list.add("/start", "must be \"now\" or absent") }
        }

        // Push delivery and the push permission go together, one never without the other.
        if let permissions, let delivery {
            if let index = permissions.firstIndex(of: .push), delivery.mode != .push {
                list.add("/permissions/\(index)", "push needs delivery mode push")
            }
            if delivery.mode == .push, !permissions.contains(.push) {
                list.add("/delivery/mode", "push delivery needs the push permission")
            }
        }

        guard list.problems.isEmpty, let fields, let permissions, let purpose, let delivery else {
            let problems = list.problems
            throw ShareBusError(.invalidSubscription, problems.map(\.description).joined(separator: "; "), problems: problems)
        }
        return SubscriptionRequest(
            resource: resource.code, fields: fields, permissions: permissions, purpose: purpose, basis: basis,
            delivery: delivery, startAtHead: startAtHead)
    }
}

extension ProblemList {
    /// The required member `key`: a non-empty array of unique strings, each accepted by `check`
    /// (which answers the reason an item is wrong, or nil). Nil when anything is wrong.
    fileprivate mutating func uniqueStrings(_ body: [String: JSONValue], _ key: String, check: (String) -> String?) -> [String]? {
        let pointer = "/" + key
        guard let value = body[key] else {
            add(pointer, "is required")
            return nil
        }
        guard let items = value.arrayValue else {
            add(pointer, "must be an array of strings")
            return nil
        }
        if items.isEmpty { add(pointer, "must not be empty") }
        let before = problems.count
        var seen: Set<String> = []
        var result: [String] = []
        for (index, item) in items.enumerated() {
            let itemPointer = JSONPointer.appending(index, to: pointer)
            guard let s = item.stringValue else {
                add(itemPointer, "must be a string")
                continue
            }
            if let reason = check(s) {
                add(itemPointer, reason)
            } else if !seen.insert(s).inserted {
                add(itemPointer, "\(s) is named twice")
            }
            result.append(s)
        }
        return problems.count == before && !items.isEmpty ? result : nil
    }

    /// A string member that must not be blank nor longer than `maxTextLength`; null counts as absent.
    fileprivate mutating func text(_ body: [String: JSONValue], _ key: String, required: Bool) -> String? {
        let pointer = "/" + key
        guard let value = body[key], !value.isNull else {
            if required { add(pointer, "is required") }
            return nil
        }
        guard let s = value.stringValue else {
            add(pointer, "must be a string")
            return nil
        }
        if s.allSatisfy(\.isWhitespace) {
            add(pointer, "must not be empty")
            return nil
        }
        if s.count > SubscriptionRequest.maxTextLength {
            add(pointer, "must be at most \(SubscriptionRequest.maxTextLength) characters")
            return nil
        }
        return s
    }

    /// The optional `delivery` member; `.pull` when absent or null.
    fileprivate mutating func delivery(_ body: [String: JSONValue]) -> Subscription.Delivery? {
        guard let value = body["delivery"], !value.isNull else { return .pull }
        guard let object = value.objectValue else {
            add("/delivery", "must be an object with a mode")
            return nil
        }
        unknownMembers(object, allowed: ["mode", "url"], at: "/delivery")
        switch oneOf(object, "mode", Subscription.Delivery.Mode.self, at: "/delivery", required: true) {
        case .pull:
            if object["url"] != nil { add("/delivery/url", "only for push delivery") }
            return .pull
        case .push:
            // Only the scheme for now: reachability and address checks belong to the push worker.
            guard let url = string(object, "url", at: "/delivery") else { return nil }
            guard url.hasPrefix("https://"), url.count > "https://".count else {
                add("/delivery/url", "must be an https:// URL")
                return nil
            }
            return .push(url: url)
        case nil:
            return nil
        }
    }
}
