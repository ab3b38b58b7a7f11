public import ShareBusCore
import ShareBusStore

extension VerificationService {
    /// Audit actions that read or verify a holder's data, and the name the access log gives them.
    public static let accessLogActions: [String: String] = [
        "verification.verify": "verify", "verification.certificate": "certificate-verify", "verification.materials": "materials",
        "record.query": "query",
    ]

    /// `GET /v1/holders/{holderId}/access-log` (portal role only): which department read or verified
    /// the holder's data, in which resource, for which purpose and when, from the audit log found by the
    /// holder's keyed digest. `from` and `limit` page through the holder's audit entries; `next` is the
    /// `from` of the following page when there may be one.
    public func accessLog(holderId raw: String, caller: Department, from: Int64, limit: Int) async throws -> JSONValue {
        guard caller.has(.portal) else { throw ShareBusError.forbidden("the access log is for the citizen service portal") }
        guard let holderId = validHolder(raw) else {
            throw ShareBusError.invalidParameter("holderId must be a citizen id (GB 11643) or a unified social credit code (GB 32100)")
        }
        let entries = try await store.auditEntries(AuditQuery(from: from, limit: limit, subject: subject(holderId: holderId)))
        var purposes: [String: String?] = [:]
        var listed: [JSONValue] = []
        for entry in entries {
            guard let action = Self.accessLogActions[entry.action], entry.actor.hasPrefix("dept:") else { continue }
            var purpose = entry.details["purpose"]?.stringValue
            if purpose == nil, let id = entry.details["subscription"]?.stringValue {
                // A record query names its subscription; the subscription says what it is for.
                if purposes[id] == nil { purposes[id] = try await store.subscription(id: id)?.purpose }
                purpose = purposes[id] ?? nil
            }
            let resources =
                entry.details["resources"]?.arrayValue?.compactMap(\.stringValue)
                ?? [entry.details["resource"]?.stringValue ?? entry.target]
            for resource in resources {
                listed.append(
                    .object([
                        "at": .string(entry.at), "department": .string(String(entry.actor.dropFirst("dept:".count))),
                        "action": .string(action), "resource": .string(resource), "purpose": purpose.map(JSONValue.string) ?? .null,
                    ]))
            }
        }
        try await store.appendAudit(
            AuditEvent(
                at: clock.now(), actor: "dept:\(caller.id)", action: "verification.access-log", target: "holder",
                details: ["count": .integer(Int64(listed.count))]))
        var answer: [String: JSONValue] = ["entries": .array(listed)]
        if entries.count == limit, let last = entries.last { answer["next"] = .integer(last.index + 1) }
        return .object(answer)
    }
}
