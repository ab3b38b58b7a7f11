import Foundation
import Logging
import ShareBusCore
import ShareBusCrypto
import ShareBusStore

/// One POST of one batch to one webhook, and the record of how it went. The records are read
/// from the log and cut to the subscription's grants at the moment of sending, never cached.
struct PushAttempt: Sendable {
    let store: any ShareBusStore
    let signer: BusSigner
    let clock: any BusClock
    let transport: any PushTransport
    let logger: Logger
    /// The machine as it was when the attempt was started; `batch` is what it said to send.
    let machine: PushStateMachine
    let batch: DeliveryState.Batch
    let subscriptionID: String
    let metrics: BusMetrics
    /// Opens the stored records before they are cut to the grants.
    let sealer: RecordSealer

    static let actor = "system:push"

    func run() async {
        do {
            try await attempt()
        } catch {
            logger.error("push attempt not recorded", metadata: ["subscription.id": "\(subscriptionID)", "error": "\(error)"])
        }
    }

    func attempt() async throws {
        // Suspended, revoked, paused or discarded since the dispatcher looked: send nothing.
        guard let subscription = try await store.subscription(id: subscriptionID), subscription.status == .active,
            case .push(let url) = subscription.delivery, try await store.deliveryState(subscription: subscriptionID)?.paused != true
        else { return }
        var replayed: DeadLetter?
        if let id = batch.replayOf {
            replayed = try await store.deadLetters(subscription: subscriptionID).first { $0.id == id }
            guard replayed != nil else { return }
        }
        let resource = try await SubscriptionService.definition(subscription.resource, in: store)
        let entries = try await store.log(resource: resource.code, after: batch.first - 1, limit: batch.count)
        guard entries.first?.sequence == batch.first, entries.last?.sequence == batch.last else {
            throw ShareBusError(.internalError, "the log of \(resource.code) lacks sequences \(batch.first)...\(batch.last)")
        }
        let opened = try entries.map { try sealer.open($0, resource: resource) }
        let delivery = DeliveryBatch(subscription: subscription, resource: resource, entries: opened)
        let body = Array(try delivery.signed(by: signer).utf8)
        let result = await transport.post(body, to: url)
        // Stopping: this attempt is neither a success nor a failure; it is made again on start.
        if Task.isCancelled { return }
        metrics.deliveryAttempted(.push)

        let now = clock.now()
        var machine = self.machine
        let outcome: PushStateMachine.Outcome?
        var details = delivery.auditDetails
        details["attempt"] = .integer(Int64(batch.attempts + 1))
        switch result {
        case .delivered(let status):
            outcome = machine.delivered(now: now)
            metrics.delivered(.push, acceptedAt: entries.map(\.acceptedAt), now: now)
            details["status"] = .integer(Int64(status))
        case .failed(let reason):
            outcome = machine.failed(reason, now: now, random: Double.random(in: 0..<1))
            metrics.deliveryFailed(.push)
            details["error"] = .string(reason)
        }
        guard let outcome else { return }
        var commit = PushCommit(state: machine.state, at: now)
        let action: String
        switch outcome {
        case .acknowledge(let done):
            commit.moveCursor = done.last
            commit.delivered = done.count
            action = "subscription.push-ack"
        case .replayDelivered(let done):
            commit.replayDelivered = done.replayOf
            commit.delivered = done.count
            details["replayOf"] = done.replayOf.map { .string($0) }
            action = "subscription.push-ack"
        case .retry(let due):
            details["nextAttemptAt"] = .string(Timestamp.format(due))
            action = "subscription.push-fail"
        case .deadLetter(let failed, let error):
            let letter = DeadLetter(
                id: UUID().uuidString.lowercased(), subscription: subscriptionID, firstSequence: failed.first, lastSequence: failed.last,
                sizeBytes: body.count, attempts: failed.attempts, lastError: error, createdAt: now)
            commit.deadLetter = letter
            metrics.deadLettered(.push)
            commit.moveCursor = failed.last
            details["deadLetter"] = .string(letter.id)
            action = "subscription.push-deadletter"
        case .replayFailed(let failed, let error):
            let attempts = (replayed?.attempts ?? 0) + failed.attempts
            commit.replayFailed = (id: failed.replayOf ?? "", attempts: attempts, error: error)
            details["replayOf"] = failed.replayOf.map { .string($0) }
            action = "subscription.push-deadletter"
        }
        try await store.commitPush(commit, audit: AuditEvent(at: now, actor: Self.actor, action: action, target: subscriptionID, details: details))
        logger.debug(
            "push attempt", metadata: ["subscription.id": "\(subscriptionID)", "push.outcome": "\(action)", "push.first": "\(batch.first)"])
    }
}
