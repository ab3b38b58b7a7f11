public import Foundation
public import ShareBusCore

/// What an action wants written to the audit log; the store adds index, time order and hashes.
public struct AuditEvent: Sendable {
    public var at: Date
    /// `dept:<id>`, `operator:<id>`, or `system` for the bus and its command line.
    public var actor: String
    /// Dotted verb, e.g. `department.create`, `resource.publish`, `certificate.revoke`.
    public var action: String
    public var target: String
    /// Who, what and why, never a record's values.
    public var details: [String: JSONValue]
    /// A keyed digest of the person or business whose data the action touched (never the id
    /// itself); written into `details.subject` and indexed, so a holder's access log can be found.
    public var subject: String?

    public init(at: Date, actor: String, action: String, target: String, details: [String: JSONValue] = [:], subject: String? = nil) {
        self.at = at
        self.actor = actor
        self.action = action
        self.target = target
        self.details = details
        self.subject = subject
    }
}

/// One entry of the append-only hash chain (protocol section 8).
public struct AuditEntry: Sendable, Hashable, Codable {
    public var index: Int64
    public var at: String
    public var actor: String
    public var action: String
    public var target: String
    public var details: [String: JSONValue]
    public var prevHash: String
    public var hash: String

    public static let genesisHash = String(repeating: "0", count: 64)

    public init(
        index: Int64, at: String, actor: String, action: String, target: String,
        details: [String: JSONValue], prevHash: String, hash: String
    ) {
        self.index = index
        self.at = at
        self.actor = actor
        self.action = action
        self.target = target
        self.details = details
        self.prevHash = prevHash
        self.hash = hash
    }

    /// The entry without its `hash` member: what `hash` is the SHA-256 of, in RFC 8785 form.
    public var hashedContent: JSONValue {
        .object([
            "index": .integer(index), "at": .string(at), "actor": .string(actor), "action": .string(action),
            "target": .string(target), "details": .object(details), "prevHash": .string(prevHash),
        ])
    }
}

public struct AuditQuery: Sendable {
    public var from: Int64
    public var limit: Int
    public var actor: String?
    public var action: String?
    /// Only entries about this data subject (the keyed digest of `AuditEvent.subject`).
    public var subject: String?
    public init(from: Int64 = 1, limit: Int = 100, actor: String? = nil, action: String? = nil, subject: String? = nil) {
        self.from = from
        self.limit = limit
        self.actor = actor
        self.action = action
        self.subject = subject
    }
}
