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
    let metrics: BusMetrics
    /// The keyed digest of a record's data subject, written as `AuditEvent.subject` of a query (nil: none).
    let subject: @Sendable (_ resource: Resource, _ key: String, _ record: [String: JSONValue]?) -> String?
    /// Opens stored records before they are cut to the grants and delivered.
    let sealer: RecordSealer

    public static let maxLimit = 1000
    public static let maxWait: Duration = .seconds(30)

    public init(
        store: any ShareBusStore, subscriptions: SubscriptionService, notifier: LogNotifier, signer: BusSigner, clock: any BusClock,
        metrics: BusMetrics = .disabled,
        subject: @escaping @Sendable (_ resource: Resource, _ key: String, _ record: [String: JSONValue]?) -> String? = { _, _, _ in nil },
        sealer: RecordSealer = RecordSealer(keyring: .random())
    ) {
        self.sealer = sealer
        self.metrics = metrics
        self.subject = subject
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

    /// Throws `subscription-not-active` while an operator has delivery paused.
    func requireNotPaused(_ id: String) async throws {
        if try await store.deliveryState(subscription: id)?.paused == true {
            throw ShareBusError(.subscriptionNotActive, "subscription \(id) is paused by an operator")
        }
    }

    /// The operations after the cursor as a bus-signed delivery JWS; waits up to `wait` for the first.
    public func pull(_ id: String, consumer: Department, limit: Int, wait: Duration) async throws -> String {
        metrics.deliveryAttempted(.pull)
        var answered = false
        defer { if !answered { metrics.deliveryFailed(.pull) } }
        var (subscription, resource) = try await usable(id, consumer: consumer, permission: .pull)
        guard subscription.delivery.mode == .pull else {
            throw ShareBusError.invalidState("subscription \(id) is delivered by push")
        }
        let deadline = ContinuousClock.now + wait
        var entries: [LogEntry] = []
        while true {
            let seen = await notifier.version(of: resource.code)
            if let latest = try await store.subscription(id: id) { subscription = latest }
            // Revoked, suspended or paused while the pull waited: deliver nothing, not even keys.
            try subscription.requireActive()
            try await requireNotPaused(id)
            entries = try await store.log(resource: resource.code, after: subscription.cursor, limit: limit)
            guard entries.isEmpty, ContinuousClock.now < deadline, !Task.isCancelled else { break }
            await notifier.wait(for: resource.code, seen: seen, timeout: deadline - ContinuousClock.now)
        }
        let opened = try entries.map { try sealer.open($0, resource: resource) }
        let batch = DeliveryBatch(subscription: subscription, resource: resource, entries: opened)
        let jws = try batch.signed(by: signer)
        let now = clock.now()
        try await store.recordPullDelivery(
            subscription: id, through: batch.nextCursor, messages: entries.count, at: now,
            audit: AuditEvent(at: now, actor: "dept:\(consumer.id)", action: "subscription.pull", target: id, details: batch.auditDetails))
        answered = true
        metrics.delivered(.pull, acceptedAt: entries.map(\.acceptedAt), now: now)
        return jws
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
        let found = try await sealer.currentRecord(in: store, resource: resource, key: key)
        try await store.appendAudit(
            AuditEvent(
                at: clock.now(), actor: "dept:\(consumer.id)", action: "record.query", target: code,
                details: ["subscription": .string(subscription.id), "found": .bool(found != nil)], subject: subject(resource, key, found)))
        guard let record = found else {
            throw ShareBusError(.recordNotFound, "no current record of \(code) under that key")
        }
        return .object([
            "resource": .string(code), "key": .string(key), "record": .object(subscription.filter(record: record, resource: resource)),
        ])
    }
}
