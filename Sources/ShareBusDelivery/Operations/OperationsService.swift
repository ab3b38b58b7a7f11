import Foundation
public import ShareBusCore
public import ShareBusStore

/// What operators do with queues (protocol section 9): see every subscription's queue, pause and
/// resume delivery, and inspect, replay or discard dead letters. Operators read no record
/// contents, so nothing here returns one. Each action is audited under the operator's name.
public struct OperationsService: Sendable {
    let store: any ShareBusStore
    let clock: any BusClock
    /// Tells the push dispatcher there is work (a resume or a replay).
    let wake: @Sendable () -> Void

    /// The window the delivery rate is averaged over, in minutes.
    public static let rateWindowMinutes = 5

    public init(store: any ShareBusStore, clock: any BusClock, wake: @escaping @Sendable () -> Void = {}) {
        self.store = store
        self.clock = clock
        self.wake = wake
    }

    /// Every subscription's queue, in subscription id order.
    public func queues() async throws -> [QueueRow] {
        let now = clock.now()
        let minute = Int64((now.timeIntervalSince1970 / 60).rounded(.down))
        let figures = try await store.queueFigures(sinceMinute: minute - Int64(Self.rateWindowMinutes - 1))
        return figures.map { QueueRow($0, now: now, windowMinutes: Self.rateWindowMinutes) }
    }

    /// One subscription's queue, or `subscription-not-found`.
    public func queue(_ id: String) async throws -> QueueRow {
        guard let row = try await queues().first(where: { $0.subscription == id }) else {
            throw ShareBusError(.subscriptionNotFound, "no subscription \(id)")
        }
        return row
    }

    /// Stops push attempts and pulls (which answer `subscription-not-active`) until `resume`.
    /// Pausing a paused queue is no error. A rejected or revoked subscription has no queue to pause.
    public func pause(_ id: String, operator operatorID: String) async throws -> QueueRow {
        try await setPaused(id, true, operatorID)
    }

    public func resume(_ id: String, operator operatorID: String) async throws -> QueueRow {
        try await setPaused(id, false, operatorID)
    }

    private func setPaused(_ id: String, _ paused: Bool, _ operatorID: String) async throws -> QueueRow {
        let subscription = try await existing(id)
        guard subscription.status != .rejected, subscription.status != .revoked else {
            throw ShareBusError.invalidState("subscription \(id) is \(subscription.status.rawValue): it delivers nothing to pause or resume")
        }
        try await store.setPaused(
            subscription: id, paused: paused,
            audit: AuditEvent(
                at: clock.now(), actor: Principal.operator(operatorID).description, action: paused ? "ops.pause" : "ops.resume", target: id,
                details: ["resource": .string(subscription.resource), "consumer": .string(subscription.consumer)]))
        if !paused { wake() }
        return try await queue(id)
    }

    /// The subscription's dead letters, oldest range first.
    public func deadLetters(_ id: String) async throws -> [DeadLetterView] {
        _ = try await existing(id)
        return try await store.deadLetters(subscription: id).map(DeadLetterView.init)
    }

    /// Delivers a dead letter's range again: the records are read from the log and cut to the
    /// subscription's grants when the replay is sent, between two live batches. On success the
    /// dead letter is gone; if the replay fails every attempt it stays, with its attempts added up.
    public func replay(_ id: String, deadLetter: String, operator operatorID: String) async throws -> DeadLetterView {
        let subscription = try await existing(id)
        let letter = try await letter(deadLetter, of: id)
        try subscription.requireActive()
        let updated = try await store.requestReplay(
            subscription: id, deadLetter: deadLetter, at: clock.now(),
            audit: audit("deadletter.replay", letter, subscription: subscription, operatorID))
        wake()
        return DeadLetterView(updated)
    }

    /// Drops a dead letter for good (a replay of it that had not yet succeeded stops).
    public func discard(_ id: String, deadLetter: String, operator operatorID: String) async throws -> DeadLetterView {
        let subscription = try await existing(id)
        let letter = try await letter(deadLetter, of: id)
        let discarded = try await store.discardDeadLetter(
            subscription: id, deadLetter: deadLetter, audit: audit("deadletter.discard", letter, subscription: subscription, operatorID))
        return DeadLetterView(discarded)
    }

    private func existing(_ id: String) async throws -> Subscription {
        guard let subscription = try await store.subscription(id: id) else {
            throw ShareBusError(.subscriptionNotFound, "no subscription \(id)")
        }
        return subscription
    }

    private func letter(_ id: String, of subscription: String) async throws -> DeadLetter {
        guard let letter = try await store.deadLetters(subscription: subscription).first(where: { $0.id == id }) else {
            throw ShareBusError(.deadLetterNotFound, "subscription \(subscription) has no dead letter \(id)")
        }
        return letter
    }

    private func audit(_ action: String, _ letter: DeadLetter, subscription: Subscription, _ operatorID: String) -> AuditEvent {
        AuditEvent(
            at: clock.now(), actor: Principal.operator(operatorID).description, action: action, target: subscription.id,
            details: [
                "deadLetter": .string(letter.id), "firstSequence": .integer(letter.firstSequence),
                "lastSequence": .integer(letter.lastSequence), "resource": .string(subscription.resource),
            ])
    }
}
