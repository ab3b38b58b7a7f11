public import Foundation
public import ShareBusCore
public import ShareBusStore

/// Subscriptions: requests, decisions, and who may see and change them (protocol section 5).
public struct SubscriptionService: Sendable {
    let store: any ShareBusStore
    let clock: any BusClock
    let calendar: WorkingDayCalendar
    /// Checks a push subscription's webhook URL before it is stored.
    let webhooks: WebhookGuard

    public init(
        store: any ShareBusStore, clock: any BusClock, calendar: WorkingDayCalendar,
        webhooks: WebhookGuard = WebhookGuard(policy: WebhookURLPolicy())
    ) {
        self.store = store
        self.clock = clock
        self.calendar = calendar
        self.webhooks = webhooks
    }

    /// The definition a subscription's records follow: the newest version that is not a draft.
    public func definition(_ code: String) async throws -> Resource {
        try await Self.definition(code, in: store)
    }

    /// Read through the store's cache when it keeps one (`StoreCaches`): a catalog change is seen
    /// by the very next call.
    static func definition(_ code: String, in store: any ShareBusStore) async throws -> Resource {
        let versions = try await CatalogService.resourceVersions(code: code, in: store)
        guard let resource = versions.last(where: { $0.status != .draft }) ?? versions.last else {
            throw ShareBusError(.resourceNotFound, "no resource \(code)")
        }
        return resource
    }

    public func request(_ json: JSONValue, consumer: Department) async throws -> Subscription {
        guard consumer.has(.consumer) else { throw ShareBusError.forbidden("subscribing needs the consumer role") }
        guard let code = json["resource"]?.stringValue else {
            let problem = FieldProblem(pointer: "/resource", reason: "must name a resource code")
            throw ShareBusError(.invalidSubscription, problem.description, problems: [problem])
        }
        let resource = try await definition(code)
        // Before the rest of the request: a refused webhook answers `invalid-webhook-url`, even
        // for an http:// URL that the request's own form check would also refuse.
        if let delivery = json["delivery"], delivery["mode"]?.stringValue == "push", let url = delivery["url"]?.stringValue {
            try await webhooks.checkSubscription(url)
        }
        let request = try SubscriptionRequest.parse(json, resource: resource)
        let now = clock.now()
        let subscription = try SubscriptionLifecycle.open(
            request, id: UUID().uuidString.lowercased(), consumer: consumer.id, resource: resource,
            head: try await store.head(resource: code), now: now, calendar: calendar)
        try await store.createSubscription(
            subscription, startAtHead: request.startAtHead,
            audit: AuditEvent(
                at: now, actor: "dept:\(consumer.id)", action: "subscription.request", target: subscription.id,
                details: [
                    "resource": .string(code), "fields": .array(subscription.fields.map { .string($0) }),
                    "permissions": .array(subscription.permissions.map { .string($0.rawValue) }), "purpose": .string(subscription.purpose),
                    "status": .string(subscription.status.rawValue),
                ]))
        return subscription
    }

    /// A subscription the caller may read, or `subscription-not-found` (also for one it may not read).
    public func read(_ id: String, principal: Principal, department: Department?) async throws -> (Subscription, Resource) {
        guard let subscription = try await subscription(id: id) else {
            throw ShareBusError(.subscriptionNotFound, "no subscription \(id)")
        }
        let resource = try await definition(subscription.resource)
        guard SubscriptionAuthority.canRead(principal: principal, department: department, subscription: subscription, resource: resource)
        else { throw ShareBusError(.subscriptionNotFound, "no subscription \(id)") }
        return (subscription, resource)
    }

    /// The stored subscription `id`, through the store's cache when it keeps one; any change to a
    /// subscription (a decision, an acknowledgement) is seen by the very next call.
    public func subscription(id: String) async throws -> Subscription? {
        guard let caches = (store as? any CachedStore)?.caches else { return try await store.subscription(id: id) }
        return try await caches.subscriptions.value(for: id) { try await store.subscription(id: id) }
    }

    /// Every subscription of `consumer` to `resource`, whatever its status, through the store's
    /// cache when it keeps one: the lookup the pull, query and verify routes make on every request.
    public func subscriptions(consumer: String, resource: String) async throws -> [Subscription] {
        let load = { [store] in try await store.subscriptions(SubscriptionFilter(consumer: consumer, resources: [resource], limit: 1000)) }
        guard let caches = (store as? any CachedStore)?.caches else { return try await load() }
        return try await caches.consumerSubscriptions.value(for: consumer + "\u{0}" + resource, load: load)
    }

    /// Pending requests the caller may decide (provider of the resource, steward, operator).
    public func pending(principal: Principal, department: Department?, limit: Int, after: String?) async throws -> [Subscription] {
        var resources: [String]? = nil
        if case .department = principal, department?.has(.steward) != true {
            resources = try await store.resources(ResourceFilter(provider: department?.id, limit: 100_000)).map(\.code)
        }
        return try await store.subscriptions(SubscriptionFilter(resources: resources, status: .pending, limit: limit, after: after))
    }

    public enum Decision: Sendable {
        case approve(fields: [String]?)
        case reject(reason: String)
        case suspend, resume, revoke

        var action: String {
            switch self {
            case .approve: "subscription.approve"
            case .reject: "subscription.reject"
            case .suspend: "subscription.suspend"
            case .resume: "subscription.resume"
            case .revoke: "subscription.revoke"
            }
        }
    }

    public func decide(_ id: String, _ decision: Decision, principal: Principal, department: Department?) async throws -> Subscription {
        let (subscription, resource) = try await read(id, principal: principal, department: department)
        switch decision {
        case .approve, .reject:
            guard SubscriptionAuthority.canDecide(principal: principal, department: department, resource: resource) else {
                throw ShareBusError.forbidden("only the provider of \(resource.code) or a steward decides its requests")
            }
        case .suspend, .resume, .revoke:
            guard SubscriptionAuthority.canManage(principal: principal, department: department, resource: resource) else {
                throw ShareBusError.forbidden("only the provider of \(resource.code), a steward or an operator may do this")
            }
        }
        var activation: Int64 = 0
        if case .approve = decision, try await store.subscriptionStartsAtHead(id: id) {
            activation = try await store.head(resource: resource.code)
        }
        let now = clock.now()
        let actor = "\(principal)"
        var details: [String: JSONValue] = ["resource": .string(resource.code), "consumer": .string(subscription.consumer)]
        if case .approve(let fields) = decision, let fields { details["fields"] = .array(fields.map { .string($0) }) }
        if case .reject(let reason) = decision { details["reason"] = .string(reason) }
        let audit = AuditEvent(at: now, actor: actor, action: decision.action, target: id, details: details)
        let activationCursor = activation
        return try await store.changeSubscription(id: id, audit: audit) { current in
            switch decision {
            case .approve(let fields): try current.approve(fields: fields, by: actor, now: now, activationCursor: activationCursor)
            case .reject(let reason): try current.reject(reason: reason, by: actor, now: now)
            case .suspend: try current.suspend(by: actor, now: now)
            case .resume: try current.resume(by: actor, now: now)
            case .revoke: try current.revoke(by: actor, now: now)
            }
        }
    }
}
