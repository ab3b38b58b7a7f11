import Foundation
import ShareBusCore
import ShareBusStore
import Testing

@testable import ShareBusDelivery

/// The SQLite side of push delivery: what the dispatcher and the operators write and read back.
@Suite("Push store")
struct PushStoreTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000.123_456)

    /// A store with resource `r` holding sequences 1...3 and push subscription `s1` at cursor 0.
    static func store() async throws -> (SQLiteStore, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sharebus-push-store-\(UUID().uuidString)").path
        let store = try SQLiteStore(directory: directory)
        let operations = (1...3).map { AcceptedEnvelope.Operation(kind: .upsert, key: "k\($0)", record: #"{"k":"k\#($0)"}"#) }
        _ = try await store.accept(
            AcceptedEnvelope(id: UUID().uuidString, sender: "p1", resource: "r", payloadSHA256: "00", operations: operations, acceptedAt: t0),
            audit: AuditEvent(at: t0, actor: "dept:p1", action: "envelope.accept", target: "r")
        ) { _ in "receipt" }
        let subscription = Subscription(
            id: "s1", consumer: "c1", resource: "r", fields: ["k"], grantedFields: ["k"], permissions: [.push], purpose: "test",
            delivery: .push(url: "https://hooks.example.gov.cn/x"), status: .active, createdAt: Timestamp.format(t0))
        try await store.createSubscription(subscription, startAtHead: false, audit: AuditEvent(at: t0, actor: "test", action: "x", target: "s1"))
        return (store, directory)
    }

    static func audit(_ action: String) -> AuditEvent { AuditEvent(at: t0, actor: "system:push", action: action, target: "s1") }

    @Test("a retry's state reads back as written, and the operator's pause survives the dispatcher's writes")
    func stateRoundTrip() async throws {
        let (store, directory) = try await Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await store.setPaused(subscription: "s1", paused: true, audit: Self.audit("ops.pause"))
        let state = DeliveryState(
            subscription: "s1", batch: .init(first: 1, last: 3, attempts: 2, firstAttemptAt: Self.t0), nextAttemptAt: Self.t0 + 2,
            lastAttemptAt: Self.t0, lastError: "HTTP 500", consecutiveFailures: 2)
        try await store.commitPush(PushCommit(state: state, at: Self.t0), audit: Self.audit("subscription.push-fail"))
        let read = try #require(try await store.deliveryState(subscription: "s1"))
        #expect(read.paused, "the dispatcher never writes the pause flag")
        #expect(read.batch?.first == 1 && read.batch?.last == 3 && read.batch?.attempts == 2 && read.lastError == "HTTP 500")
        #expect(abs((read.nextAttemptAt ?? .distantPast).timeIntervalSince(Self.t0 + 2)) <= PushStateMachine.tolerance)
        // Read back, the due time counts as reached at the instant it was computed for.
        var machine = PushStateMachine(
            state: DeliveryState(subscription: "s1", batch: read.batch, nextAttemptAt: read.nextAttemptAt), configuration: .init())
        guard case .send = machine.next(now: Self.t0 + 2, .init(cursor: 0, head: 3)) else {
            Issue.record("not due at its own due time")
            return
        }
        let candidates = try await store.pushCandidates()
        #expect(candidates.map(\.subscription.id) == ["s1"] && candidates.first?.head == 3)
    }

    @Test("a dead letter moves the cursor; replay marks it for the dispatcher; discard removes it and the replay in hand")
    func deadLetters() async throws {
        let (store, directory) = try await Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var commit = PushCommit(state: DeliveryState(subscription: "s1", lastError: "HTTP 500", consecutiveFailures: 10), at: Self.t0)
        commit.moveCursor = 2
        commit.deadLetter = DeadLetter(
            id: "dl1", subscription: "s1", firstSequence: 1, lastSequence: 2, sizeBytes: 900, attempts: 10, lastError: "HTTP 500",
            createdAt: Self.t0)
        try await store.commitPush(commit, audit: Self.audit("subscription.push-deadletter"))
        #expect(try await store.subscription(id: "s1")?.cursor == 2)
        #expect(try await store.deadLetters(subscription: "s1").map(\.id) == ["dl1"])

        let replaying = try await store.requestReplay(subscription: "s1", deadLetter: "dl1", at: Self.t0 + 5, audit: Self.audit("deadletter.replay"))
        #expect(replaying.replayRequestedAt != nil)
        #expect(try await store.pushCandidates().first?.replay?.id == "dl1")
        await #expect(throws: ShareBusError.self) {
            _ = try await store.requestReplay(subscription: "other", deadLetter: "dl1", at: Self.t0, audit: Self.audit("deadletter.replay"))
        }

        // The replay is in hand, waiting for a retry, when an operator discards the dead letter.
        let inHand = DeliveryState(subscription: "s1", batch: .init(first: 1, last: 2, replayOf: "dl1", attempts: 1), nextAttemptAt: Self.t0 + 9)
        try await store.commitPush(PushCommit(state: inHand, at: Self.t0), audit: Self.audit("subscription.push-fail"))
        _ = try await store.discardDeadLetter(subscription: "s1", deadLetter: "dl1", audit: Self.audit("deadletter.discard"))
        #expect(try await store.deadLetters(subscription: "s1").isEmpty)
        #expect(try await store.deliveryState(subscription: "s1")?.batch == nil)
        #expect(try await store.pushCandidates().first?.replay == nil)
    }

    @Test("queue figures: depth, the oldest unacknowledged message, the delivery tally, dead letters")
    func figures() async throws {
        let (store, directory) = try await Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var commit = PushCommit(state: DeliveryState(subscription: "s1", lastDeliveryAt: Self.t0 + 60), at: Self.t0 + 60)
        commit.moveCursor = 1
        commit.delivered = 1
        try await store.commitPush(commit, audit: Self.audit("subscription.push-ack"))
        let minute = Int64(((Self.t0 + 60).timeIntervalSince1970 / 60).rounded(.down))
        let figures = try #require(try await store.queueFigures(sinceMinute: minute - 4).first)
        #expect(figures.head == 3 && figures.subscription.cursor == 1 && figures.recentlyDelivered == 1 && figures.deadLetters == 0)
        #expect(figures.oldestUnacknowledgedAt == Timestamp.format(Self.t0), "sequence 2's acceptedAt")
        let row = QueueRow(figures, now: Self.t0 + 120, windowMinutes: 5)
        #expect(row.depth == 2 && row.oldestUnackedAgeSeconds == 120 && row.deliveryRatePerMinute == 0.2 && row.status == "active")
        #expect(try await store.queueFigures(sinceMinute: minute + 1).first?.recentlyDelivered == 0, "outside the window")
    }
}
