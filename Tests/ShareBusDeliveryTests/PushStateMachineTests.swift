import Foundation
import ShareBusStore
import Testing

@testable import ShareBusDelivery

/// The push retry state machine, driven by hand: no clock, no socket, no store.
@Suite("Push state machine")
struct PushStateMachineTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func configuration(attempts: Int = 10, maxAge: TimeInterval = 24 * 3600, batchSize: Int = 100) -> DeliveryConfiguration {
        var configuration = DeliveryConfiguration()
        configuration.maxAttempts = attempts
        configuration.maxAge = maxAge
        configuration.batchSize = batchSize
        return configuration
    }

    static func machine(_ state: DeliveryState = DeliveryState(subscription: "s1"), _ configuration: DeliveryConfiguration = configuration())
        -> PushStateMachine
    {
        PushStateMachine(state: state, configuration: configuration)
    }

    @Test("a batch starts right after the cursor and holds at most batchSize messages")
    func firstBatch() {
        var machine = Self.machine(DeliveryState(subscription: "s1"), Self.configuration(batchSize: 3))
        #expect(machine.next(now: Self.t0, .init(cursor: 4, head: 10)) == .send(.init(first: 5, last: 7, firstAttemptAt: Self.t0)))
        var small = Self.machine()
        #expect(small.next(now: Self.t0, .init(cursor: 4, head: 5)) == .send(.init(first: 5, last: 5, firstAttemptAt: Self.t0)))
    }

    @Test("nothing to send when caught up, paused or not active", arguments: [(10, false, true), (4, true, true), (4, false, false)])
    func idle(cursor: Int64, paused: Bool, active: Bool) {
        var machine = Self.machine(DeliveryState(subscription: "s1", paused: paused))
        #expect(machine.next(now: Self.t0, .init(cursor: cursor, head: 10, active: active)) == .idle)
    }

    @Test("a 2xx acknowledges the batch and clears the failures")
    func delivered() {
        var machine = Self.machine(DeliveryState(subscription: "s1", lastError: "HTTP 500", consecutiveFailures: 3))
        guard case .send(let batch) = machine.next(now: Self.t0, .init(cursor: 0, head: 2)) else {
            Issue.record("no send")
            return
        }
        #expect(machine.delivered(now: Self.t0 + 1) == .acknowledge(batch))
        #expect(machine.state.batch == nil)
        #expect(machine.state.consecutiveFailures == 0)
        #expect(machine.state.lastError == nil)
        #expect(machine.state.lastDeliveryAt == Self.t0 + 1)
    }

    @Test("failures retry the same batch 1, 2, 4 … s later (no jitter drawn), never earlier")
    func retries() {
        var machine = Self.machine()
        var now = Self.t0
        guard case .send(let batch) = machine.next(now: now, .init(cursor: 0, head: 3)) else {
            Issue.record("no send")
            return
        }
        for (failure, delay) in [1.0, 2, 4, 8, 16].enumerated() {
            #expect(machine.failed("HTTP 500", now: now, random: 0) == .retry(at: now + delay))
            #expect(machine.state.consecutiveFailures == failure + 1)
            // Not yet due: wait, even though the log has grown meanwhile.
            #expect(machine.next(now: now + delay - 0.001, .init(cursor: 0, head: 50)) == .wait(until: now + delay))
            now += delay
            guard case .send(let again) = machine.next(now: now, .init(cursor: 0, head: 50)) else {
                Issue.record("no retry")
                return
            }
            #expect(again.first == batch.first && again.last == batch.last, "the same batch, not a bigger one")
            #expect(again.attempts == failure + 1)
            #expect(again.firstAttemptAt == Self.t0)
        }
    }

    @Test("jitter makes a retry come up to 20 % early, never late")
    func jitter() {
        var machine = Self.machine()
        _ = machine.next(now: Self.t0, .init(cursor: 0, head: 1))
        guard case .retry(let due) = machine.failed("timed out", now: Self.t0, random: 0.5) else {
            Issue.record("no retry")
            return
        }
        #expect(due == Self.t0 + 0.9)
    }

    @Test("after the configured attempts the batch is dead-lettered with the last error, and the next batch flows")
    func deadLetterAfterAttempts() {
        var machine = Self.machine(DeliveryState(subscription: "s1"), Self.configuration(attempts: 3))
        var now = Self.t0
        _ = machine.next(now: now, .init(cursor: 0, head: 5))
        for error in ["HTTP 500", "connection refused"] {
            guard case .retry(let due) = machine.failed(error, now: now, random: 0) else {
                Issue.record("no retry")
                return
            }
            now = due
            _ = machine.next(now: now, .init(cursor: 0, head: 5))
        }
        let outcome = machine.failed("timed out waiting for the answer", now: now, random: 0)
        #expect(outcome == .deadLetter(.init(first: 1, last: 5, attempts: 3, firstAttemptAt: Self.t0), error: "timed out waiting for the answer"))
        #expect(machine.state.batch == nil)
        #expect(machine.state.consecutiveFailures == 3, "failures count on across batches until a success")
        // The caller moved the cursor past the dead letter: the next batch goes at once.
        #expect(machine.next(now: now, .init(cursor: 5, head: 8)) == .send(.init(first: 6, last: 8, firstAttemptAt: now)))
    }

    @Test("a batch older than the maximum age is dead-lettered at its next failure, attempts left or not")
    func deadLetterAfterAge() {
        var machine = Self.machine(DeliveryState(subscription: "s1"), Self.configuration(attempts: 100, maxAge: 3600))
        _ = machine.next(now: Self.t0, .init(cursor: 0, head: 1))
        #expect(machine.failed("HTTP 503", now: Self.t0 + 10, random: 0) == .retry(at: Self.t0 + 11))
        _ = machine.next(now: Self.t0 + 3600, .init(cursor: 0, head: 1))
        guard case .deadLetter(let batch, _) = machine.failed("HTTP 503", now: Self.t0 + 3600, random: 0) else {
            Issue.record("not dead-lettered")
            return
        }
        #expect(batch.attempts == 2)
    }

    @Test("a state read back from the store resumes the same batch, attempts and due time")
    func resumesFromStoredState() {
        let stored = DeliveryState(
            subscription: "s1", batch: .init(first: 3, last: 4, attempts: 2, firstAttemptAt: Self.t0), nextAttemptAt: Self.t0 + 2,
            lastError: "HTTP 500", consecutiveFailures: 2)
        var machine = Self.machine(stored)
        #expect(machine.next(now: Self.t0 + 1, .init(cursor: 2, head: 9)) == .wait(until: Self.t0 + 2))
        #expect(machine.next(now: Self.t0 + 2, .init(cursor: 2, head: 9)) == .send(.init(first: 3, last: 4, attempts: 2, firstAttemptAt: Self.t0)))
        #expect(machine.failed("HTTP 500", now: Self.t0 + 2, random: 0) == .retry(at: Self.t0 + 6), "the third failure waits 4 s")
    }

    @Test("a replay goes between live batches; its success removes the dead letter and leaves the cursor")
    func replay() {
        let letter = DeadLetter(
            id: "dl1", subscription: "s1", firstSequence: 1, lastSequence: 2, sizeBytes: 10, attempts: 10, lastError: "HTTP 500",
            createdAt: Self.t0, replayRequestedAt: Self.t0)
        var machine = Self.machine(DeliveryState(subscription: "s1", batch: .init(first: 3, last: 4, attempts: 1), nextAttemptAt: Self.t0 + 1))
        // The live batch in hand comes first: order is kept.
        #expect(machine.next(now: Self.t0, .init(cursor: 2, head: 4, replay: letter)) == .wait(until: Self.t0 + 1))
        guard case .send = machine.next(now: Self.t0 + 1, .init(cursor: 2, head: 4, replay: letter)) else {
            Issue.record("no send")
            return
        }
        _ = machine.delivered(now: Self.t0 + 1)
        #expect(
            machine.next(now: Self.t0 + 2, .init(cursor: 4, head: 6, replay: letter))
                == .send(.init(first: 1, last: 2, replayOf: "dl1", firstAttemptAt: Self.t0 + 2)))
        #expect(machine.delivered(now: Self.t0 + 3) == .replayDelivered(.init(first: 1, last: 2, replayOf: "dl1", firstAttemptAt: Self.t0 + 2)))
        #expect(machine.next(now: Self.t0 + 3, .init(cursor: 4, head: 6)) == .send(.init(first: 5, last: 6, firstAttemptAt: Self.t0 + 3)))
    }

    @Test("a replay that fails every attempt goes back to the dead letters; a discarded one is dropped")
    func replayFailsOrIsDiscarded() {
        let letter = DeadLetter(
            id: "dl1", subscription: "s1", firstSequence: 1, lastSequence: 2, sizeBytes: 10, attempts: 10, lastError: "HTTP 500",
            createdAt: Self.t0, replayRequestedAt: Self.t0)
        var machine = Self.machine(DeliveryState(subscription: "s1"), Self.configuration(attempts: 1))
        _ = machine.next(now: Self.t0, .init(cursor: 4, head: 4, replay: letter))
        guard case .replayFailed(let batch, "HTTP 502") = machine.failed("HTTP 502", now: Self.t0, random: 0) else {
            Issue.record("not back to the dead letters")
            return
        }
        #expect(batch.replayOf == "dl1")

        var retrying = Self.machine(DeliveryState(subscription: "s1", batch: .init(first: 1, last: 2, replayOf: "dl1", attempts: 1)))
        #expect(retrying.next(now: Self.t0, .init(cursor: 4, head: 4, replay: nil)) == .idle, "discarded while waiting: nothing is owed")
        #expect(retrying.state.batch == nil)
    }

    @Test("a live batch acknowledged some other way is not sent again")
    func settledElsewhere() {
        var machine = Self.machine(DeliveryState(subscription: "s1", batch: .init(first: 1, last: 3, attempts: 2), nextAttemptAt: Self.t0))
        #expect(machine.next(now: Self.t0, .init(cursor: 3, head: 3)) == .idle)
    }

    @Test("outcomes without a batch in hand change nothing")
    func noBatch() {
        var machine = Self.machine()
        #expect(machine.delivered(now: Self.t0) == nil)
        #expect(machine.failed("x", now: Self.t0, random: 0) == nil)
        #expect(machine.state == DeliveryState(subscription: "s1"))
    }

    @Test("a retry the clock jumped a day back from is sent at once, and the next one is scheduled from the new now")
    func clockJumpedBack() {
        let stored = DeliveryState(
            subscription: "s1", batch: .init(first: 1, last: 2, attempts: 3, firstAttemptAt: Self.t0), nextAttemptAt: Self.t0 + 4,
            consecutiveFailures: 3)
        var machine = Self.machine(stored)
        // Within the 4 s the third failure allows: still a wait, nothing flagged.
        #expect(machine.next(now: Self.t0 + 0.5, .init(cursor: 0, head: 2)) == .wait(until: Self.t0 + 4))
        #expect(machine.clockWentBack == nil)
        let back = Self.t0 - 86_400
        #expect(machine.next(now: back, .init(cursor: 0, head: 2)) == .send(.init(first: 1, last: 2, attempts: 3, firstAttemptAt: Self.t0)))
        #expect(machine.clockWentBack == 86_400, "the stored time lay a day beyond the 4 s ceiling")
        #expect(machine.state.nextAttemptAt == nil)
        #expect(machine.failed("HTTP 500", now: back, random: 0) == .retry(at: back + 8), "the fourth failure waits 8 s from the new now")
    }

    @Test("after a forward jump an overdue retry is sent once, and the next failure waits its delay again")
    func clockJumpedForward() {
        let stored = DeliveryState(
            subscription: "s1", batch: .init(first: 1, last: 2, attempts: 2, firstAttemptAt: Self.t0), nextAttemptAt: Self.t0 + 2,
            consecutiveFailures: 2)
        var machine = Self.machine(stored)
        let ahead = Self.t0 + 3600
        guard case .send = machine.next(now: ahead, .init(cursor: 0, head: 2)) else {
            Issue.record("no send")
            return
        }
        #expect(machine.clockWentBack == nil)
        #expect(machine.failed("HTTP 500", now: ahead, random: 0) == .retry(at: ahead + 4))
        #expect(machine.next(now: ahead, .init(cursor: 0, head: 2)) == .wait(until: ahead + 4), "one attempt, not a burst")
    }
}
