public import Foundation
public import ShareBusCore
public import ShareBusCrypto
public import ShareBusStore

/// Pull delivery, acknowledgements and queries (protocol section 6): every record passes
/// through `Subscription.filter`, so a consumer only ever sees its granted fields.
public struct PullService: Sendable {
    let store: any ShareBusStore
    let subscriptions: SubscriptionService
    let notifier: LogNotifier
    let signer: BusSigner
    let clock: any BusClock

    public static let maxLimit = 1000
    public static let maxWait: Duration = .seconds(30)

    public init(store: any ShareBusStore, subscriptions: SubscriptionService, notifier: LogNotifier, signer: BusSigner, clock: any BusClock) {
        self.store = store
        self.subscriptions = subscriptions
        self.notifier = notifier
        self.signer = signer
        self.clock = clock
    }

    /// The consumer's own active subscription with `permission`.
    func usable(_ id: String, consumer: Department, permission: Subscription.Permission) async throws -> (Subscription, Resource) {
        let (subscription, resource) = try await subscriptions.read(id, principal: .department(consumer.id), department: consumer)
        guard subscription.consumer == consumer.id, subscription.has(permission) else {
            throw ShareBusError(.notSubscribed, "subscription \(id) does not give \(consumer.id) \(permission.rawValue) access")
        }
        guard subscription.status == .active else {
            throw ShareBusError(.subscriptionNotActive, "subscription \(id) is \(subscription.status.rawValue)")
        }
        return (subscription, resource)
    }

    /// The operations after the cursor as a bus-signed delivery JWS; waits up to `wait` for the first.
    public func pull(_ id: String, consumer: Department, limit: Int, wait: Duration) async throws -> String {
        var (subscription, resource) = try await usable(id, consumer: consumer, permission: .pull)
        guard subscription.delivery.mode == .pull else {
            throw ShareBusError.invalidState("subscription \(id) is delivered by push")
        }
        let deadline = ContinuousClock.now + wait
        var entries: [LogEntry] = []
        while true {
            let seen = await notifier.version(of: resource.code)
            if let latest = try await store.subscription(id: id) { subscription = latest }
            // Revoked or suspended while the pull waited: deliver nothing, not even keys.
            try subscription.requireActive()
            entries = try await store.log(resource: resource.code, after: subscription.cursor, limit: limit)
            guard entries.isEmpty, ContinuousClock.now < deadline, !Task.isCancelled else { break }
            await notifier.wait(for: resource.code, seen: seen, timeout: deadline - ContinuousClock.now)
        }
        let messages = try entries.map { try Self.message($0, subscription: subscription, resource: resource) }
        let next = entries.last?.sequence ?? subscription.cursor
        let payload: JSONValue = .object([
            "subscription": .string(id), "resource": .string(resource.code), "messages": .array(messages), "nextCursor": .integer(next),
        ])
        let jws = try signer.sign(payload, type: BusSigner.deliveryType)
        var details: [String: JSONValue] = ["count": .integer(Int64(entries.count)), "resource": .string(resource.code)]
        if let first = entries.first, let last = entries.last {
            details["firstSequence"] = .integer(first.sequence)
            details["lastSequence"] = .integer(last.sequence)
        }
        try await store.recordDelivery(
            subscription: id, through: next,
            audit: AuditEvent(at: clock.now(), actor: "dept:\(consumer.id)", action: "subscription.pull", target: id, details: details))
        return jws
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

    public func acknowledge(_ id: String, consumer: Department, sequence: Int64) async throws -> Subscription {
        let (subscription, _) = try await subscriptions.read(id, principal: .department(consumer.id), department: consumer)
        guard subscription.consumer == consumer.id else {
            throw ShareBusError(.notSubscribed, "only the consumer acknowledges subscription \(id)")
        }
        return try await store.acknowledge(
            subscription: id, sequence: sequence,
            audit: AuditEvent(
                at: clock.now(), actor: "dept:\(consumer.id)", action: "subscription.ack", target: id,
                details: ["sequence": .integer(sequence)]))
    }

    /// The current record under `key`, cut to the fields of the caller's query subscription.
    public func query(resource code: String, key: String, consumer: Department) async throws -> JSONValue {
        let candidates = try await store.subscriptions(SubscriptionFilter(consumer: consumer.id, resources: [code], status: .active, limit: 1000))
        guard let subscription = candidates.first(where: { $0.has(.query) }) else {
            throw ShareBusError(.notSubscribed, "\(consumer.id) has no active subscription with query permission on \(code)")
        }
        let resource = try await subscriptions.definition(code)
        let problems = RecordValidator.validateKey(key, resource: resource, path: "/key")
        guard problems.isEmpty else { throw ShareBusError.invalidParameter(problems.map(\.description).joined(separator: "; ")) }
        let text = try await store.currentRecord(resource: code, key: key)
        try await store.appendAudit(
            AuditEvent(
                at: clock.now(), actor: "dept:\(consumer.id)", action: "record.query", target: code,
                details: ["subscription": .string(subscription.id), "found": .bool(text != nil)]))
        guard let text, let record = try StrictJSON.parse(Array(text.utf8)).objectValue else {
            throw ShareBusError(.recordNotFound, "no current record of \(code) under that key")
        }
        return .object([
            "resource": .string(code), "key": .string(key), "record": .object(subscription.filter(record: record, resource: resource)),
        ])
    }
}
