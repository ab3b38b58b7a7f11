/// A consumer's subscription to one resource, exactly in the JSON form of the wire protocol,
/// section 5: `{"id", "consumer", "resource", "fields", "grantedFields", "permissions", "purpose",
/// "basis", "delivery", "status", "cursor", "createdAt", "dueAt", "decidedAt", "decidedBy", "reason"}`.
///
/// Optional members are left out of the JSON when nil. The request's `start` is not kept here: it
/// only decides the first cursor (see `SubscriptionRequest.activationCursor(head:)`). Changes of
/// status go through the state machine in `SubscriptionLifecycle.swift`, never by setting `status`.
public struct Subscription: Codable, Sendable, Hashable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// A conditional request waiting for the provider's (or a steward's) decision.
        case pending
        /// Delivering: approved, or asked for an unconditional resource.
        case active
        /// Refused by the provider or a steward, with a reason. Final.
        case rejected
        /// Delivering nothing until resumed; the cursor stays where it is.
        case suspended
        /// Delivering nothing, ever again. Final.
        case revoked
    }

    /// What a subscription may do with the resource.
    public enum Permission: String, Sendable, Codable, CaseIterable {
        case pull, push, query, verify
    }

    /// A lowercase UUID, made by the caller of `SubscriptionLifecycle.open`.
    public var id: String
    /// The consumer's department id.
    public var consumer: String
    /// The resource code.
    public var resource: String
    /// The fields asked for, in the order asked.
    public var fields: [String]
    /// The fields granted, in the order asked; empty until decided. Records carry only these and
    /// the primary key (see `Subscription.filter(record:resource:)`).
    public var grantedFields: [String]
    public var permissions: [Permission]
    public var purpose: String
    /// The legal or policy basis the consumer gave; always present for a conditional resource.
    public var basis: String?
    public var delivery: Delivery
    public var status: Status
    /// The last sequence of the resource's log the consumer has acknowledged.
    public var cursor: Int64
    /// RFC 3339, UTC (`Timestamp.format`).
    public var createdAt: String
    /// When a decision on a conditional request is due: 10 working days after `createdAt`.
    public var dueAt: String?
    /// When the current status was decided: approval or rejection, then any suspension,
    /// resumption or revocation. The audit log keeps the whole history.
    public var decidedAt: String?
    /// Who decided the current status: `dept:<id>`, `operator:<id>`, or `system` for an
    /// unconditional resource.
    public var decidedBy: String?
    /// The reason given with a rejection.
    public var reason: String?

    public init(
        id: String, consumer: String, resource: String, fields: [String], grantedFields: [String] = [],
        permissions: [Permission], purpose: String, basis: String? = nil, delivery: Delivery = .pull,
        status: Status, cursor: Int64 = 0, createdAt: String, dueAt: String? = nil, decidedAt: String? = nil,
        decidedBy: String? = nil, reason: String? = nil
    ) {
        self.id = id
        self.consumer = consumer
        self.resource = resource
        self.fields = fields
        self.grantedFields = grantedFields
        self.permissions = permissions
        self.purpose = purpose
        self.basis = basis
        self.delivery = delivery
        self.status = status
        self.cursor = cursor
        self.createdAt = createdAt
        self.dueAt = dueAt
        self.decidedAt = decidedAt
        self.decidedBy = decidedBy
        self.reason = reason
    }

    /// The protocol's member names, in the protocol's order. The synthesized coding writes
    /// optionals with `encodeIfPresent`, so nil members are left out.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case id, consumer, resource, fields, grantedFields, permissions, purpose, basis, delivery, status, cursor
        case createdAt, dueAt, decidedAt, decidedBy, reason
    }

    public func has(_ permission: Permission) -> Bool { permissions.contains(permission) }
}
