public import Foundation
public import ShareBusCore

/// An envelope that passed every check, ready to be made durable and ordered.
public struct AcceptedEnvelope: Sendable {
    public struct Operation: Sendable {
        public enum Kind: String, Sendable { case upsert, delete }
        public var kind: Kind
        /// The primary key, as text.
        public var key: String
        /// The record for an upsert, as canonical JSON text; nil for a delete.
        public var record: String?
        public init(kind: Kind, key: String, record: String?) {
            self.kind = kind
            self.key = key
            self.record = record
        }
    }

    public var id: String
    public var sender: String
    public var resource: String
    public var payloadSHA256: String
    public var operations: [Operation]
    public var acceptedAt: Date

    public init(id: String, sender: String, resource: String, payloadSHA256: String, operations: [Operation], acceptedAt: Date) {
        self.id = id
        self.sender = sender
        self.resource = resource
        self.payloadSHA256 = payloadSHA256
        self.operations = operations
        self.acceptedAt = acceptedAt
    }
}

/// The receipt payload of protocol section 3, exactly its members.
public struct ReceiptPayload: Sendable, Codable, Hashable {
    public var envelopeId: String
    public var sender: String
    public var resource: String
    public var payloadSha256: String
    public var firstSequence: Int64
    public var lastSequence: Int64
    public var auditIndex: Int64
    public var acceptedAt: String

    public init(
        envelopeId: String, sender: String, resource: String, payloadSha256: String, firstSequence: Int64, lastSequence: Int64,
        auditIndex: Int64, acceptedAt: String
    ) {
        self.envelopeId = envelopeId
        self.sender = sender
        self.resource = resource
        self.payloadSha256 = payloadSha256
        self.firstSequence = firstSequence
        self.lastSequence = lastSequence
        self.auditIndex = auditIndex
        self.acceptedAt = acceptedAt
    }

    /// The payload as the JSON its `Codable` form writes, built directly: it is signed for every
    /// accepted envelope, inside the commit.
    public var json: JSONValue {
        .object([
            "envelopeId": .string(envelopeId), "sender": .string(sender), "resource": .string(resource),
            "payloadSha256": .string(payloadSha256), "firstSequence": .integer(firstSequence), "lastSequence": .integer(lastSequence),
            "auditIndex": .integer(auditIndex), "acceptedAt": .string(acceptedAt),
        ])
    }
}

/// What storing an envelope came to.
public enum EnvelopeOutcome: Sendable {
    /// Newly accepted: the signed receipt (flattened JWS JSON text) and where it went in the log.
    case accepted(receipt: String, payload: ReceiptPayload)
    /// The same envelope was accepted before: its original receipt.
    case duplicate(receipt: String)
}

/// One operation of a resource's log.
public struct LogEntry: Sendable, Hashable {
    public var sequence: Int64
    public var op: String
    public var key: String
    /// Canonical JSON text of the record; nil for deletes.
    public var record: String?
    public var envelopeId: String
    public var sender: String
    public var acceptedAt: String

    public init(sequence: Int64, op: String, key: String, record: String?, envelopeId: String, sender: String, acceptedAt: String) {
        self.sequence = sequence
        self.op = op
        self.key = key
        self.record = record
        self.envelopeId = envelopeId
        self.sender = sender
        self.acceptedAt = acceptedAt
    }
}

/// Storage of the exchange: envelopes, the ordered logs, current records, subscriptions and cursors.
public protocol ExchangeStore: Sendable {
    /// The receipt of an envelope already accepted from `sender` with `id`, and its payload digest.
    func existingEnvelope(sender: String, id: String) async throws -> (payloadSHA256: String, receipt: String)?
    /// Makes an envelope durable in one transaction with its audit entry; `sign` makes the receipt JWS.
    func accept(_ envelope: AcceptedEnvelope, audit: AuditEvent, sign: @escaping @Sendable (ReceiptPayload) throws -> String)
        async throws -> EnvelopeOutcome
    func head(resource: String) async throws -> Int64
    func log(resource: String, after sequence: Int64, limit: Int) async throws -> [LogEntry]
    func currentRecord(resource: String, key: String) async throws -> String?

    /// Stores a new subscription; `startAtHead` remembers a pending request's `"start": "now"` until approval.
    func createSubscription(_ subscription: Subscription, startAtHead: Bool, audit: AuditEvent) async throws
    func subscriptionStartsAtHead(id: String) async throws -> Bool
    func subscription(id: String) async throws -> Subscription?
    func subscriptions(_ filter: SubscriptionFilter) async throws -> [Subscription]
    /// Runs `change` on the stored subscription inside one write transaction and stores its result.
    func changeSubscription(id: String, audit: AuditEvent, _ change: @escaping @Sendable (Subscription) throws -> Subscription)
        async throws -> Subscription
    /// Records that sequences up to `through` were handed to the subscription, with the pull's audit entry.
    func recordDelivery(subscription: String, through: Int64, audit: AuditEvent) async throws
    /// Moves the cursor to `sequence`; refuses going backwards or past what was delivered.
    func acknowledge(subscription: String, sequence: Int64, audit: AuditEvent) async throws -> Subscription
    /// Appends an audit entry on its own (reads, queries).
    func appendAudit(_ audit: AuditEvent) async throws

    func checkpoints(limit: Int) async throws -> [Checkpoint]
    func addCheckpoint(_ make: @escaping @Sendable (AuditEntry) throws -> Checkpoint) async throws -> Checkpoint?
}

public struct SubscriptionFilter: Sendable {
    public var consumer: String?
    public var resources: [String]?
    public var status: Subscription.Status?
    public var limit: Int
    public var after: String?
    public init(consumer: String? = nil, resources: [String]? = nil, status: Subscription.Status? = nil, limit: Int = 100, after: String? = nil) {
        self.consumer = consumer
        self.resources = resources
        self.status = status
        self.limit = limit
        self.after = after
    }
}

/// A signed statement of the audit chain's head (protocol section 8).
public struct Checkpoint: Sendable, Codable, Hashable {
    public var index: Int64
    public var hash: String
    public var at: String
    /// The flattened JWS (`sharebus-checkpoint+jws`) over `{"index","hash","at"}`.
    public var jws: String
    public init(index: Int64, hash: String, at: String, jws: String) {
        self.index = index
        self.hash = hash
        self.at = at
        self.jws = jws
    }
}
