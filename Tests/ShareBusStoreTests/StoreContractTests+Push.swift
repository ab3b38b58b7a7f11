import Foundation
import ShareBusCore
import ShareBusStore
import Testing

extension StoreContractTests {
    static func pushStore(_ store: StoreKind.Store) async throws {
        try await Fixture.accept(Fixture.envelope("e1", (1...6).map { Fixture.upsert("k\($0)", "{}") }), in: store)
        try await store.createSubscription(
            Fixture.subscription("s1", delivery: .push(url: "https://hooks.example.gov.cn/x")), startAtHead: false,
            audit: Fixture.audit("subscription.request"))
        try await store.createSubscription(Fixture.subscription("s2"), startAtHead: false, audit: Fixture.audit("subscription.request"))
        try await store.createSubscription(
            Fixture.subscription("s3", status: .suspended, delivery: .push(url: "https://hooks.example.gov.cn/y")), startAtHead: false,
            audit: Fixture.audit("subscription.request"))
    }

    @Test("push state: written, read back, the pause kept apart; candidates are the active push subscriptions", arguments: StoreKind.allCases)
    func pushState(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Self.pushStore(store)
            #expect(try await store.deliveryState(subscription: "s1") == nil)
            let candidates = try await store.pushCandidates()
            #expect(candidates.map(\.subscription.id) == ["s1"] && candidates.first?.head == 6 && candidates.first?.replay == nil)
            #expect(candidates.first?.state == DeliveryState(subscription: "s1"))
            try await store.setPaused(subscription: "s1", paused: true, audit: Fixture.audit("ops.pause"))
            let state = DeliveryState(
                subscription: "s1", paused: false, batch: .init(first: 1, last: 3, attempts: 2, firstAttemptAt: Fixture.t0),
                nextAttemptAt: Fixture.t0 + 2.5, lastAttemptAt: Fixture.t0 + 1, lastError: "HTTP 500", consecutiveFailures: 2,
                lastDeliveryAt: Fixture.t0 - 60)
            var commit = PushCommit(state: state, at: Fixture.t0)
            commit.delivered = 3
            try await store.commitPush(commit, audit: Fixture.audit("subscription.push-fail"))
            var expected = state
            expected.paused = true
            #expect(try await store.deliveryState(subscription: "s1") == expected, "the dispatcher never writes the pause flag")
            #expect(try await store.pushCandidates().first?.state == expected)
            try await store.setPaused(subscription: "s1", paused: false, audit: Fixture.audit("ops.resume"))
            #expect(try await store.deliveryState(subscription: "s1")?.paused == false)
            let missing = await #expect(throws: ShareBusError.self) {
                try await store.setPaused(subscription: "nope", paused: true, audit: Fixture.audit("ops.pause"))
            }
            #expect(missing?.code == .subscriptionNotFound)
            // A delivered batch moves the cursor (and the delivered mark), never backwards.
            var delivered = PushCommit(state: DeliveryState(subscription: "s1", lastDeliveryAt: Fixture.t0), at: Fixture.t0)
            delivered.moveCursor = 4
            try await store.commitPush(delivered, audit: Fixture.audit("subscription.push"))
            #expect(try await store.subscription(id: "s1")?.cursor == 4)
            delivered.moveCursor = 2
            try await store.commitPush(delivered, audit: Fixture.audit("subscription.push"))
            #expect(try await store.subscription(id: "s1")?.cursor == 4)
            #expect(try await store.acknowledge(subscription: "s1", sequence: 4, audit: Fixture.audit("ack")).cursor == 4)
            try await Fixture.verifiedChain(store)
        }
    }

    @Test("dead letters: filed with a cursor move, replayed, failed again, delivered, discarded; queue figures", arguments: StoreKind.allCases)
    func deadLetters(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Self.pushStore(store)
            var commit = PushCommit(state: DeliveryState(subscription: "s1", lastError: "HTTP 500", consecutiveFailures: 10), at: Fixture.t0)
            commit.moveCursor = 2
            commit.deadLetter = DeadLetter(
                id: "d1", subscription: "s1", firstSequence: 1, lastSequence: 2, sizeBytes: 321, attempts: 10, lastError: "HTTP 500",
                createdAt: Fixture.t0)
            try await store.commitPush(commit, audit: Fixture.audit("subscription.dead-letter"))
            commit.moveCursor = 3
            commit.deadLetter = DeadLetter(
                id: "d2", subscription: "s1", firstSequence: 3, lastSequence: 3, sizeBytes: 12, attempts: 10, lastError: "timeout",
                createdAt: Fixture.t0 + 1)
            try await store.commitPush(commit, audit: Fixture.audit("subscription.dead-letter"))
            let letters = try await store.deadLetters(subscription: "s1")
            #expect(letters.map(\.id) == ["d1", "d2"] && letters[0].count == 2 && letters[0].sizeBytes == 321)
            #expect(letters[0].createdAt == Fixture.t0 && letters[0].replayRequestedAt == nil)
            #expect(try await store.subscription(id: "s1")?.cursor == 3)
            let foreign = await #expect(throws: ShareBusError.self) {
                try await store.requestReplay(subscription: "s2", deadLetter: "d1", at: Fixture.t0, audit: Fixture.audit("ops.replay"))
            }
            #expect(foreign?.code == .deadLetterNotFound)
            let replay = try await store.requestReplay(subscription: "s1", deadLetter: "d2", at: Fixture.t0 + 5, audit: Fixture.audit("ops.replay"))
            #expect(replay.replayRequestedAt == Fixture.t0 + 5)
            // Asking again keeps the first request's time.
            #expect(try await store.requestReplay(subscription: "s1", deadLetter: "d2", at: Fixture.t0 + 9, audit: Fixture.audit("ops.replay"))
                .replayRequestedAt == Fixture.t0 + 5)
            #expect(try await store.pushCandidates().first?.replay?.id == "d2")
            var failed = PushCommit(
                state: DeliveryState(subscription: "s1", batch: .init(first: 3, last: 3, replayOf: "d2", attempts: 1)), at: Fixture.t0)
            failed.replayFailed = (id: "d2", attempts: 11, error: "HTTP 502")
            try await store.commitPush(failed, audit: Fixture.audit("subscription.replay-fail"))
            let afterFailure = try await store.deadLetters(subscription: "s1")
            #expect(afterFailure[1].attempts == 11 && afterFailure[1].lastError == "HTTP 502" && afterFailure[1].replayRequestedAt == nil)
            #expect(try await store.pushCandidates().first?.replay == nil)
            _ = try await store.requestReplay(subscription: "s1", deadLetter: "d1", at: Fixture.t0, audit: Fixture.audit("ops.replay"))
            var done = PushCommit(state: DeliveryState(subscription: "s1"), at: Fixture.t0)
            done.replayDelivered = "d1"
            done.delivered = 2
            try await store.commitPush(done, audit: Fixture.audit("subscription.replay"))
            #expect(try await store.deadLetters(subscription: "s1").map(\.id) == ["d2"])
            // Discarding the letter whose replay is in hand drops that batch too.
            try await store.commitPush(
                PushCommit(state: DeliveryState(subscription: "s1", batch: .init(first: 3, last: 3, replayOf: "d2", attempts: 2)), at: Fixture.t0),
                audit: Fixture.audit("subscription.replay-fail"))
            #expect(try await store.discardDeadLetter(subscription: "s1", deadLetter: "d2", audit: Fixture.audit("ops.discard")).id == "d2")
            #expect(try await store.deadLetters(subscription: "s1").isEmpty)
            #expect(try await store.deliveryState(subscription: "s1")?.batch == nil)
            let gone = await #expect(throws: ShareBusError.self) {
                try await store.discardDeadLetter(subscription: "s1", deadLetter: "d2", audit: Fixture.audit("ops.discard"))
            }
            #expect(gone?.code == .deadLetterNotFound)
            try await Fixture.verifiedChain(store)
        }
    }

    @Test("queue figures: head, state, dead letters, oldest unacknowledged, recent deliveries, in id order", arguments: StoreKind.allCases)
    func queueFigures(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await Self.pushStore(store)
            let minute = Int64((Fixture.t0.timeIntervalSince1970 / 60).rounded(.down))
            try await store.recordPullDelivery(subscription: "s2", through: 4, messages: 4, at: Fixture.t0 - 120, audit: Fixture.audit("pull"))
            try await store.recordPullDelivery(subscription: "s2", through: 6, messages: 2, at: Fixture.t0, audit: Fixture.audit("pull"))
            try await store.recordPullDelivery(subscription: "s2", through: 6, messages: 0, at: Fixture.t0 + 60, audit: Fixture.audit("pull"))
            _ = try await store.acknowledge(subscription: "s2", sequence: 3, audit: Fixture.audit("ack"))
            var commit = PushCommit(state: DeliveryState(subscription: "s1", lastError: "HTTP 500", consecutiveFailures: 3), at: Fixture.t0)
            commit.deadLetter = DeadLetter(
                id: "d1", subscription: "s1", firstSequence: 1, lastSequence: 1, sizeBytes: 1, attempts: 3, lastError: "HTTP 500",
                createdAt: Fixture.t0)
            try await store.commitPush(commit, audit: Fixture.audit("subscription.dead-letter"))
            let figures = try await store.queueFigures(sinceMinute: minute - 1)
            #expect(figures.map(\.subscription.id) == ["s1", "s2", "s3"])
            #expect(figures.allSatisfy { $0.head == 6 || $0.subscription.id == "s3" })
            #expect(figures[0].deadLetters == 1 && figures[0].state.consecutiveFailures == 3 && figures[0].recentlyDelivered == 0)
            #expect(figures[0].oldestUnacknowledgedAt == Timestamp.format(Fixture.t0))
            #expect(figures[1].subscription.cursor == 3 && figures[1].recentlyDelivered == 2 && figures[1].deadLetters == 0)
            #expect(figures[1].state.lastDeliveryAt == Fixture.t0)
            #expect(try await store.queueFigures(sinceMinute: minute - 2)[1].recentlyDelivered == 6)
            _ = try await store.acknowledge(subscription: "s2", sequence: 6, audit: Fixture.audit("ack"))
            #expect(try await store.queueFigures(sinceMinute: minute)[1].oldestUnacknowledgedAt == nil)
        }
    }
}
