public import Foundation

extension Subscription {
    /// The subscription after `event`, decided by `actor` (`dept:<id>` or `operator:<id>`, see
    /// `Principal.description`) at `now`. Throws `invalid-state` when the event cannot happen in the
    /// current status and `invalid-subscription` when its particulars are wrong; either way `self`
    /// is unchanged. Whether `actor` may do this is `SubscriptionAuthority`'s question, asked first.
    public func applying(_ event: SubscriptionEvent, by actor: String, now: Date) throws -> Subscription {
        let (from, to) = event.transition
        guard from.contains(status) else {
            throw ShareBusError.invalidState("cannot \(event) a subscription that is \(status.rawValue)")
        }
        var next = self
        switch event {
        case .approve(let fields, let activationCursor):
            next.grantedFields = try grantable(fields)
            next.cursor = max(0, activationCursor)
        case .reject(let reason):
            guard !reason.allSatisfy(\.isWhitespace) else {
                let problem = FieldProblem(pointer: "/reason", reason: "a rejection needs a reason")
                throw ShareBusError(.invalidSubscription, problem.description, problems: [problem])
            }
            next.reason = reason
        case .suspend, .resume, .revoke:
            break
        }
        next.status = to
        next.decidedAt = Timestamp.format(now)
        next.decidedBy = actor
        return next
    }

    /// Approve a pending request. `activationCursor` is where delivery starts: the request's
    /// `activationCursor(head:)`, i.e. the resource's head for `"start": "now"`, else 0.
    public func approve(fields: [String]? = nil, by actor: String, now: Date, activationCursor: Int64 = 0) throws -> Subscription {
        try applying(.approve(fields: fields, activationCursor: activationCursor), by: actor, now: now)
    }

    public func reject(reason: String, by actor: String, now: Date) throws -> Subscription {
        try applying(.reject(reason: reason), by: actor, now: now)
    }

    public func suspend(by actor: String, now: Date) throws -> Subscription {
        try applying(.suspend, by: actor, now: now)
    }

    public func resume(by actor: String, now: Date) throws -> Subscription {
        try applying(.resume, by: actor, now: now)
    }

    public func revoke(by actor: String, now: Date) throws -> Subscription {
        try applying(.revoke, by: actor, now: now)
    }

    /// Where a pending request stands against its `dueAt`; nil for any other status.
    public func deadlineState(now: Date, calendar: WorkingDayCalendar) -> DeadlineState? {
        guard status == .pending, let dueAt, let due = Formats.parseDateTime(dueAt) else { return nil }
        return calendar.deadlineState(now: now, due: due)
    }

    /// Throws `subscription-not-active` unless records may flow now. Every delivery path (pull,
    /// push, query, verify) asks this before `filter(record:resource:)`.
    public func requireActive() throws {
        guard status == .active else {
            throw ShareBusError(.subscriptionNotActive, "subscription \(id) is \(status.rawValue)")
        }
    }

    /// The fields an approval grants, in the order asked: all asked fields for nil, else `fields`
    /// when it is a non-empty subset of them with no name twice.
    private func grantable(_ fields: [String]?) throws -> [String] {
        guard let fields else { return self.fields }
        var problems: [FieldProblem] = []
        if fields.isEmpty { problems.append(FieldProblem(pointer: "/fields", reason: "grant at least one field")) }
        var seen: Set<String> = []
        for (index, name) in fields.enumerated() {
            if !self.fields.contains(name) {
                problems.append(FieldProblem(pointer: "/fields/\(index)", reason: "\(name) was not asked for"))
            } else if !seen.insert(name).inserted {
                problems.append(FieldProblem(pointer: "/fields/\(index)", reason: "\(name) is named twice"))
            }
        }
        guard problems.isEmpty else {
            throw ShareBusError(.invalidSubscription, problems.map(\.description).joined(separator: "; "), problems: problems)
        }
        return self.fields.filter(seen.contains)
    }
}
