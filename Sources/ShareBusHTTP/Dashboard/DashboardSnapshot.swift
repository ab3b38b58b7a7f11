import Foundation
import ShareBusCore
import ShareBusStore

/// Everything one rendering of the dashboard shows, read at once.
struct DashboardSnapshot: Sendable {
    /// How a queue looks at a glance; the page lists the worst first.
    enum Health: Int, Sendable, Comparable {
        case ok, warning, critical
        static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

        /// Oldest unacknowledged message older than this: warning. Default 5 minutes.
        static let warningAge: TimeInterval = 300
        /// Older than this: critical. Default 1 hour.
        static let criticalAge: TimeInterval = 3600
        /// Consecutive failed deliveries from which a queue is critical. Default 3.
        static let criticalFailures = 3

        var name: String {
            switch self {
            case .ok: "ok"
            case .warning: "warning"
            case .critical: "critical"
            }
        }
    }

    struct Queue: Sendable {
        var subscription: String
        var consumer: String
        var resource: String
        var mode: String
        var status: String
        var paused: Bool
        var cursor: Int64
        var head: Int64
        var depth: Int64
        /// Seconds; nil when nothing is waiting.
        var oldestUnackedAge: Double?
        /// Messages delivered per minute, recently.
        var ratePerMinute: Double
        var failures: Int
        var deadLetters: Int
        var lastDeliveryAt: String?

        var health: Health {
            let age = oldestUnackedAge ?? 0
            if deadLetters > 0 || failures >= Health.criticalFailures || age > Health.criticalAge { return .critical }
            if failures > 0 || paused || status != "active" || age > Health.warningAge { return .warning }
            return .ok
        }

        /// Worst first: health, then dead letters, failures, age and depth.
        static func worstFirst(_ a: Queue, _ b: Queue) -> Bool {
            let keyA = (a.health.rawValue, a.deadLetters, a.failures, a.oldestUnackedAge ?? 0, a.depth)
            let keyB = (b.health.rawValue, b.deadLetters, b.failures, b.oldestUnackedAge ?? 0, b.depth)
            if keyA != keyB { return keyA > keyB }
            return a.subscription < b.subscription
        }
    }

    struct Letter: Sendable {
        var subscription: String
        var id: String
        var firstSequence: Int64
        var lastSequence: Int64
        var attempts: Int
        var lastError: String
        var createdAt: String
        var replayRequested: Bool
    }

    struct Pending: Sendable {
        var subscription: Subscription
        /// The 电子监察 light: due (green), warning (yellow), overdue (red); nil without a deadline.
        var deadline: DeadlineState?
    }

    var now: Date
    var queues: [Queue]
    var deadLetters: [Letter]
    var pending: [Pending]
    var departments: [Department]
    var audit: [AuditEntry]

    /// Most dead letters and audit entries shown.
    static let maxDeadLetters = 50
    static let auditEntries = 15

    static func load(_ env: BusEnvironment) async throws -> DashboardSnapshot {
        let now = env.clock.now()
        let queues = try await env.dashboardQueues().sorted(by: Queue.worstFirst)
        var letters: [Letter] = []
        for queue in queues where queue.deadLetters > 0 && letters.count < maxDeadLetters {
            letters += try await env.dashboardDeadLetters(subscription: queue.subscription)
        }
        let pending = try await env.store.subscriptions(SubscriptionFilter(status: .pending, limit: 500)).map { subscription in
            Pending(
                subscription: subscription,
                deadline: subscription.dueAt.flatMap(Formats.parseDateTime).map { env.calendar.deadlineState(now: now, due: $0) })
        }
        let departments = try await env.store.departments(limit: 10_000, after: nil)
        var audit: [AuditEntry] = []
        if let head = try await env.store.auditHead() {
            let from = max(1, head.index - Int64(auditEntries) + 1)
            audit = try await env.store.auditEntries(AuditQuery(from: from, limit: auditEntries)).reversed()
        }
        return DashboardSnapshot(
            now: now, queues: queues, deadLetters: Array(letters.prefix(maxDeadLetters)),
            pending: pending.sorted(by: Self.mostUrgent),
            departments: departments.sorted { ($0.status == .suspended ? 0 : 1, $0.id) < ($1.status == .suspended ? 0 : 1, $1.id) },
            audit: audit)
    }

    /// Overdue first, then warning, then due; earliest deadline first within each.
    static func mostUrgent(_ a: Pending, _ b: Pending) -> Bool {
        func rank(_ state: DeadlineState?) -> Int {
            switch state {
            case .overdue: 0
            case .warning: 1
            case .due: 2
            case nil: 3
            }
        }
        return (rank(a.deadline), a.subscription.dueAt ?? "", a.subscription.id)
            < (rank(b.deadline), b.subscription.dueAt ?? "", b.subscription.id)
    }
}
