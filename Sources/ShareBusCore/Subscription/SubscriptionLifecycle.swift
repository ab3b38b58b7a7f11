public import Foundation

/// The subscription state machine (protocol section 5), a plain value type in swift-nio's manner:
/// each event takes a `Subscription` and answers the next one, or throws and changes nothing.
/// It reads no clock and stores nothing; the caller passes the time in and writes the result.
///
/// | event   | from                        | to        |
/// |---------|-----------------------------|-----------|
/// | approve | pending                     | active    |
/// | reject  | pending                     | rejected  |
/// | suspend | active                      | suspended |
/// | resume  | suspended                   | active    |
/// | revoke  | pending, active, suspended  | revoked   |
///
/// `rejected` and `revoked` are final.
public enum SubscriptionLifecycle {
    /// How many working days a provider has to decide a conditional request.
    public static let decisionWorkingDays = 10

    /// The `decidedBy` of a subscription no person decided (an unconditional resource).
    public static let system = "system"

    /// The subscription a valid request becomes.
    ///
    /// - `none` sharing: `not-shareable`; a resource not published: `resource-not-published`.
    /// - `unconditional`: active at once with every asked field granted, decided by `system`;
    ///   the cursor is `request.activationCursor(head:)`.
    /// - `conditional`: pending, due `decisionWorkingDays` working days later by `calendar`, with
    ///   cursor 0. Its start is settled on approval: pass `activationCursor(head:)` to `approve`,
    ///   which is why the store keeps `request.startAtHead` beside a pending subscription.
    ///
    /// - Parameters:
    ///   - id: a fresh lowercase UUID.
    ///   - consumer: the calling department's id, from its certificate.
    ///   - head: the last sequence of the resource's log now (0 for an empty log).
    public static func open(
        _ request: SubscriptionRequest, id: String, consumer: String, resource: Resource, head: Int64, now: Date,
        calendar: WorkingDayCalendar
    ) throws -> Subscription {
        guard resource.sharing.type != .none else {
            throw ShareBusError(.notShareable, "resource \(resource.code) is not shareable")
        }
        guard resource.status == .published else {
            throw ShareBusError(.resourceNotPublished, "resource \(resource.code) is \(resource.status.rawValue), not published")
        }
        guard request.resource == resource.code else {
            let problem = FieldProblem(pointer: "/resource", reason: "is \(request.resource), but this request is for \(resource.code)")
            throw ShareBusError(.invalidSubscription, problem.description, problems: [problem])
        }
        var subscription = Subscription(
            id: id, consumer: consumer, resource: resource.code, fields: request.fields, permissions: request.permissions,
            purpose: request.purpose, basis: request.basis, delivery: request.delivery, status: .pending,
            createdAt: Timestamp.format(now))
        switch resource.sharing.type {
        case .unconditional:
            subscription.status = .active
            subscription.grantedFields = request.fields
            subscription.cursor = request.activationCursor(head: head)
            subscription.decidedAt = Timestamp.format(now)
            subscription.decidedBy = system
        case .conditional, .none:
            subscription.dueAt = Timestamp.format(calendar.addingWorkingDays(decisionWorkingDays, to: now))
        }
        return subscription
    }
}

/// What can happen to a subscription after it is opened.
public enum SubscriptionEvent: Sendable, Hashable, CustomStringConvertible {
    /// Grant `fields` (a non-empty subset of the asked fields; nil grants them all) and start
    /// delivering after `activationCursor`.
    case approve(fields: [String]?, activationCursor: Int64)
    case reject(reason: String)
    case suspend
    case resume
    case revoke

    /// The verb, as error messages and audit entries say it.
    public var description: String {
        switch self {
        case .approve: "approve"
        case .reject: "reject"
        case .suspend: "suspend"
        case .resume: "resume"
        case .revoke: "revoke"
        }
    }

    /// The statuses the event may happen in, and the status it leads to.
    public var transition: (from: Set<Subscription.Status>, to: Subscription.Status) {
        switch self {
        case .approve: ([.pending], .active)
        case .reject: ([.pending], .rejected)
        case .suspend: ([.active], .suspended)
        case .resume: ([.suspended], .active)
        case .revoke: ([.pending, .active, .suspended], .revoked)
        }
    }
}
