public import ShareBusCore
public import ShareBusCrypto
public import ShareBusStore

/// A delivery as both pull and push hand it over (protocol section 6): a JWS signed by the bus,
/// `typ` `sharebus-delivery+jws`, whose payload is `{"subscription", "resource", "messages",
/// "nextCursor"}`. Every record goes through `Subscription.filter`, so it carries only the
/// granted fields and the primary key. `entries` are the log entries opened by `RecordSealer.open`
/// (clear key, clear record): the batch never sees the sealed form the store keeps.
public struct DeliveryBatch: Sendable {
    public let subscription: Subscription
    public let resource: Resource
    public let entries: [LogEntry]
    /// The cursor once this batch is acknowledged: its last sequence, or the cursor for an empty batch.
    public let nextCursor: Int64

    public init(subscription: Subscription, resource: Resource, entries: [LogEntry]) {
        self.subscription = subscription
        self.resource = resource
        self.entries = entries
        nextCursor = entries.last?.sequence ?? subscription.cursor
    }

    public var payload: JSONValue {
        get throws {
            .object([
                "subscription": .string(subscription.id), "resource": .string(resource.code),
                "messages": .array(try entries.map { try Self.message($0, subscription: subscription, resource: resource) }),
                "nextCursor": .integer(nextCursor),
            ])
        }
    }

    /// The flattened JWS text, signed by the bus.
    public func signed(by signer: BusSigner) throws -> String {
        try signer.sign(try payload, type: BusSigner.deliveryType)
    }

    /// What the audit entry of a delivery says about it: how many messages and which sequences.
    public var auditDetails: [String: JSONValue] {
        var details: [String: JSONValue] = ["count": .integer(Int64(entries.count)), "resource": .string(resource.code)]
        if let first = entries.first, let last = entries.last {
            details["firstSequence"] = .integer(first.sequence)
            details["lastSequence"] = .integer(last.sequence)
        }
        return details
    }

    static func message(_ entry: LogEntry, subscription: Subscription, resource: Resource) throws -> JSONValue {
        var message: [String: JSONValue] = [
            "sequence": .integer(entry.sequence), "op": .string(entry.op), "key": .string(entry.key),
            "envelopeId": .string(entry.envelopeId), "sender": .string(entry.sender), "acceptedAt": .string(entry.acceptedAt),
        ]
        if let text = entry.record, let record = try StrictJSON.parse(Array(text.utf8)).objectValue {
            message["record"] = .object(subscription.filter(record: record, resource: resource))
        } else {
            message["record"] = .null
        }
        return .object(message)
    }
}
