public import ShareBusCore
import ShareBusStore

extension VerificationService {
    /// `GET /v1/holders/{holderId}/materials`: every e-certificate and filed material of the holder in
    /// the resources the caller holds an active `query` or `verify` subscription to, cut to its grants.
    public func materials(holderId raw: String, purpose: String?, caller: Department) async throws -> JSONValue {
        guard let holderId = validHolder(raw) else {
            throw ShareBusError.invalidParameter("holderId must be a citizen id (GB 11643) or a unified social credit code (GB 32100)")
        }
        if let purpose, let problem = purposeProblem(purpose) { throw ShareBusError.invalidParameter("purpose \(problem)") }
        // One subscription per resource: one with `query` (which shows granted values) before a verify-only one.
        var chosen: [String: Subscription] = [:]
        let active = try await store.subscriptions(SubscriptionFilter(consumer: caller.id, status: .active, limit: 100_000))
        for subscription in active where subscription.has(.query) || subscription.has(.verify) {
            if let held = chosen[subscription.resource], held.has(.query) || !subscription.has(.query) { continue }
            chosen[subscription.resource] = subscription
        }
        var searched: [(resource: Resource, kind: HolderResources.Kind, subscription: Subscription)] = []
        for code in chosen.keys.sorted() {
            let resource = try await subscriptions.definition(code)
            if let kind = HolderResources.kind(of: resource), let subscription = chosen[code] { searched.append((resource, kind, subscription)) }
        }
        guard !searched.isEmpty else {
            throw ShareBusError(
                .notSubscribed, "\(caller.id) has no active subscription with query or verify permission to an e-certificate or materials resource")
        }
        try admit(caller, key: "holder\u{0}" + holderId)

        var items: [JSONValue] = []
        for (resource, kind, subscription) in searched {
            let held = try await sealer.heldRecords(in: holders, resource: resource, holderId: holderId, limit: configuration.maxMaterialsPerResource)
            for entry in held {
                items.append(.object(HolderResources.item(entry.record, resource: resource, kind: kind, subscription: subscription)))
            }
        }
        var request: [String: JSONValue] = ["holderId": .string(raw)]
        if let purpose { request["purpose"] = .string(purpose) }
        let now = clock.now()
        let audit = AuditEvent(
            at: now, actor: "dept:\(caller.id)", action: "verification.materials", target: "holder",
            details: [
                "resources": .array(searched.map { .string($0.resource.code) }),
                "subscriptions": .array(searched.map { .string($0.subscription.id) }),
                "purpose": .string(purpose ?? Set(searched.map(\.subscription.purpose)).sorted().joined(separator: "; ")),
                "count": .integer(Int64(items.count)),
            ],
            subject: subject(holderId: holderId))
        return try await answer(["materials": .array(items)], request: .object(request), caller: caller, at: now, audit: audit)
    }
}
