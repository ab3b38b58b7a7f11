import Foundation
import Hummingbird
import ShareBusCore
import ShareBusDelivery
import ShareBusStore

extension BusRouter {
    func addSubscriptionRoutes(_ env: BusEnvironment) {
        on(.post, "/v1/subscriptions") { request, context in
            guard let department = context.department else { throw ShareBusError.forbidden("departments subscribe") }
            let json = try await RequestReading.json(request, context: context, limit: env.configuration.maxBodySize)
            let subscription = try await env.subscriptions.request(json, consumer: department)
            var headers = HTTPFields()
            headers[.location] = "/v1/subscriptions/\(subscription.id)"
            return try JSONResponse.make(SubscriptionView(subscription, env: env), status: .created, headers: headers)
        }
        on(.get, "/v1/subscriptions") { request, context in
            let principal = try context.caller()
            let query = request.uri.queryParameters
            let limit = try RequestReading.limit(request, fallback: 100, maximum: env.configuration.maxPageSize)
            let after = query.get("after")
            var status: Subscription.Status?
            if let text = query.get("status") {
                guard let value = Subscription.Status(rawValue: text) else {
                    throw ShareBusError.invalidParameter("status must be one of pending, active, rejected, suspended, revoked")
                }
                status = value
            }
            let list: [Subscription]
            if status == .pending {
                list = try await env.subscriptions.pending(principal: principal, department: context.department, limit: limit, after: after)
            } else if case .department(let id) = principal {
                list = try await env.store.subscriptions(SubscriptionFilter(consumer: id, status: status, limit: limit, after: after))
            } else {
                list = try await env.store.subscriptions(SubscriptionFilter(status: status, limit: limit, after: after))
            }
            return try JSONResponse.make(
                SubscriptionList(subscriptions: list.map { SubscriptionView($0, env: env) }, next: list.count == limit ? list.last?.id : nil))
        }
        on(.get, "/v1/subscriptions/{id}") { _, context in
            let id = try RequestReading.parameter("id", context)
            let (subscription, _) = try await env.subscriptions.read(id, principal: try context.caller(), department: context.department)
            return try JSONResponse.make(SubscriptionView(subscription, env: env))
        }
        on(.post, "/v1/subscriptions/{id}/approve") { request, context in
            let body = try await RequestReading.optionalJSON(request, context: context, limit: env.configuration.maxBodySize)
            var fields: [String]?
            if let value = body?["fields"], !value.isNull {
                guard let array = value.arrayValue, let names = Optional(array.compactMap(\.stringValue)), names.count == array.count else {
                    throw ShareBusError(.invalidSubscription, "fields must be an array of field names")
                }
                fields = names
            }
            return try await Self.decide(env, context, .approve(fields: fields))
        }
        on(.post, "/v1/subscriptions/{id}/reject") { request, context in
            let body = try await RequestReading.json(request, context: context, limit: env.configuration.maxBodySize)
            guard let reason = body["reason"]?.stringValue, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ShareBusError(.invalidSubscription, "a rejection needs a reason", problems: [FieldProblem(pointer: "/reason", reason: "required")])
            }
            return try await Self.decide(env, context, .reject(reason: reason))
        }
        for (verb, decision) in [("suspend", SubscriptionService.Decision.suspend), ("resume", .resume), ("revoke", .revoke)] {
            on(.post, "/v1/subscriptions/{id}/\(verb)") { _, context in
                try await Self.decide(env, context, decision)
            }
        }
    }

    private static func decide(_ env: BusEnvironment, _ context: BusRequestContext, _ decision: SubscriptionService.Decision) async throws -> Response {
        let id = try RequestReading.parameter("id", context)
        let subscription = try await env.subscriptions.decide(id, decision, principal: try context.caller(), department: context.department)
        return try JSONResponse.make(SubscriptionView(subscription, env: env))
    }
}

/// A subscription as answered: the protocol's members, plus `deadlineState` while it is pending.
struct SubscriptionView: Encodable {
    var subscription: Subscription
    var deadlineState: String?

    init(_ subscription: Subscription, env: BusEnvironment) {
        self.subscription = subscription
        deadlineState = subscription.deadlineState(now: env.clock.now(), calendar: env.calendar)?.rawValue
    }

    func encode(to encoder: any Encoder) throws {
        try subscription.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(deadlineState, forKey: .deadlineState)
    }

    enum CodingKeys: String, CodingKey { case deadlineState }
}

struct SubscriptionList: Encodable {
    var subscriptions: [SubscriptionView]
    var next: String?
}
