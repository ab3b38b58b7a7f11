import Foundation
import ShareBusCore
import ShareBusDelivery

/// What the dashboard and the queue gauges read from, and do through, the operator service: the
/// same `OperationsService` as `/v1/ops/...`, so an action from the page is checked and audited
/// exactly like one from the JSON API.
extension BusEnvironment {
    /// Subscriptions that have a queue to look after: active ones, paused or not, and suspended
    /// ones. Pending requests are shown with their deadlines instead; rejected and revoked ones
    /// deliver nothing.
    func deliveringQueues() async throws -> [QueueRow] {
        try await operations.queues().filter { ["active", "paused", "suspended"].contains($0.status) }
    }

    func dashboardQueues() async throws -> [DashboardSnapshot.Queue] {
        try await deliveringQueues().map { row in
            DashboardSnapshot.Queue(
                subscription: row.subscription, consumer: row.consumer, resource: row.resource, mode: row.mode, status: row.status,
                paused: row.paused, cursor: row.cursor, head: row.head, depth: row.depth,
                oldestUnackedAge: row.oldestUnackedAgeSeconds.map(Double.init), ratePerMinute: row.deliveryRatePerMinute,
                failures: row.consecutiveFailures, deadLetters: row.deadLetters, lastDeliveryAt: row.lastDeliveryAt)
        }
    }

    func dashboardDeadLetters(subscription: String) async throws -> [DashboardSnapshot.Letter] {
        try await operations.deadLetters(subscription).map { letter in
            DashboardSnapshot.Letter(
                subscription: letter.subscription, id: letter.id, firstSequence: letter.firstSequence, lastSequence: letter.lastSequence,
                attempts: letter.attempts, lastError: letter.lastError, createdAt: letter.createdAt,
                replayRequested: letter.status == "replaying")
        }
    }

    func dashboardPerform(_ request: DashboardActionRequest, operatorID: String) async throws {
        let id = request.subscription
        switch request.action {
        case .pause: _ = try await operations.pause(id, operator: operatorID)
        case .resume: _ = try await operations.resume(id, operator: operatorID)
        case .replay: _ = try await operations.replay(id, deadLetter: request.deadLetter ?? "", operator: operatorID)
        case .discard: _ = try await operations.discard(id, deadLetter: request.deadLetter ?? "", operator: operatorID)
        }
    }

    func queueSamples() async throws -> [QueueSample] {
        try await deliveringQueues().map {
            QueueSample(
                subscription: $0.subscription, consumer: $0.consumer, resource: $0.resource, mode: $0.mode, depth: $0.depth,
                oldestUnackedAge: Double($0.oldestUnackedAgeSeconds ?? 0), deadLetters: Int64($0.deadLetters),
                paused: $0.paused || $0.status != "active")
        }
    }
}
