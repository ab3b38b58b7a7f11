import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import Testing

/// Retries on the bus clock (a `ManualClock` the test moves), dead letters, replay and discard.
/// The retry base is the protocol's 1 s with no jitter, so every due time is exact.
@Suite("Push retries and dead letters")
struct PushRetryOnBothStores {
    @Test(
        "failures retry 1 s then 2 s later in order; after the attempts the batch is dead-lettered, the next flows, replay delivers it",
        arguments: TestStore.allCases)
    func retryDeadLetterReplay(store: TestStore) async throws {
        let clock = ManualClock(Date())
        try await PushBus.run(store: store, clock: clock, delivery: PushBus.configuration(attempts: 3, batchSize: 1)) { bus in
            let receiver = try await PushReceiver.start(pki: bus.pki, mode: .status(500))
            defer { Task { await receiver.stop() } }
            let world = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            let id = try await PushBus.activeSubscription(tax, url: receiver.url, fields: ["name"])
            let t0 = clock.now()
            try await world.push([EnvelopeBuilder.upsert(Exchange.record(1))])
            _ = try await receiver.waitFor(1)
            try await PushBus.eventually("the failure is recorded") { try await bus.store.deliveryState(subscription: id)?.batch?.attempts == 1 }
            let queue = try await PushBus.queue(world.ops, id)
            #expect(queue?["consecutiveFailures"] == .integer(1))
            #expect(queue?["lastError"]?.stringValue == "HTTP 500")
            #expect(queue?["depth"] == .integer(1))
            #expect(queue?["nextAttemptAt"]?.stringValue == Timestamp.format(t0 + 1))

            // A later message waits behind the failing one, and no retry comes before the bus clock says.
            try await world.push([EnvelopeBuilder.upsert(Exchange.record(2))])
            // Set, not advanced by parts, so the instants are the very ones the bus computed.
            let (retry1, retry2) = (t0 + 1, t0 + 1 + 2)
            clock.set(retry1 - 0.001)
            try await Task.sleep(for: .milliseconds(400))
            #expect(receiver.received.count == 1, "nothing before the first retry is due")
            clock.set(retry1)
            _ = try await receiver.waitFor(2)
            try await PushBus.eventually("the second failure is recorded") {
                try await bus.store.deliveryState(subscription: id)?.batch?.attempts == 2
            }
            clock.set(retry2 - 0.001)
            try await Task.sleep(for: .milliseconds(400))
            #expect(receiver.received.count == 2, "the second retry waits 2 s")
            clock.set(retry2)
            // The third failure dead-letters batch [1]; batch [2] goes at once.
            _ = try await receiver.waitFor(4)
            #expect(try PushBus.batches(receiver, bus: bus).prefix(4) == [[1], [1], [1], [2]])

            try await PushBus.eventually("the dead letter is filed") {
                try await world.ops.get("/v1/ops/subscriptions/\(id)/dead-letters").json?["deadLetters"]?.arrayValue?.count == 1
            }
            let listed = try await world.ops.get("/v1/ops/subscriptions/\(id)/dead-letters")
            #expect(listed.status == 200)
            let letter = try #require(listed.json?["deadLetters"]?.arrayValue?.first)
            #expect(letter["firstSequence"] == .integer(1) && letter["lastSequence"] == .integer(1) && letter["count"] == .integer(1))
            #expect(letter["attempts"] == .integer(3))
            #expect(letter["lastError"]?.stringValue == "HTTP 500")
            #expect(letter["status"]?.stringValue == "dead")
            #expect((letter["sizeBytes"]?.doubleValue ?? 0) > 100)
            #expect(letter["createdAt"]?.stringValue == Timestamp.format(retry2))
            #expect(!listed.text.contains("测试人员1") && !listed.text.contains(Exchange.citizenID(1)), "never record values")
            try await PushBus.eventually("the cursor moved past the dead letter") { try await bus.store.subscription(id: id)?.cursor == 1 }

            let failures = try await Exchange.audit(world.ops, action: "subscription.push-fail")
            #expect(failures.prefix(2).map { $0["details"]?["nextAttemptAt"]?.stringValue } == [Timestamp.format(retry1), Timestamp.format(retry2)])
            #expect(try await Exchange.audit(world.ops, action: "subscription.push-deadletter").count == 1)

            // The webhook recovers: batch [2] is retried 1 s after its failure and acknowledged.
            receiver.set(.ok)
            try await PushBus.eventually("batch [2] failed once") { try await bus.store.deliveryState(subscription: id)?.batch?.first == 2 }
            clock.advance(by: 1)
            _ = try await receiver.waitFor(5)
            try await PushBus.eventually("the cursor reached 2") { try await bus.store.subscription(id: id)?.cursor == 2 }

            // Replay: the dead letter's range is read from the log again, cut to the grants, and delivered.
            let letterID = try #require(letter["id"]?.stringValue)
            let replay = try await world.ops.post("/v1/ops/subscriptions/\(id)/dead-letters/\(letterID)/replay")
            #expect(replay.status == 202, "\(replay.text)")
            #expect(replay.json?["status"]?.stringValue == "replaying")
            let received = try await receiver.waitFor(6)
            let replayed = try PushBus.delivery(try #require(received.last), bus: bus)
            #expect(Exchange.sequences(replayed) == [1])
            #expect(Exchange.messages(replayed).first?["record"]?.objectValue.map { Set($0.keys) } == ["idNumber", "name"])
            try await PushBus.eventually("the replayed dead letter is gone") {
                try await world.ops.get("/v1/ops/subscriptions/\(id)/dead-letters").json?["deadLetters"]?.arrayValue?.isEmpty == true
            }
            #expect(try await bus.store.subscription(id: id)?.cursor == 2, "a replay does not move the cursor")
            let replays = try await Exchange.audit(world.ops, action: "deadletter.replay")
            #expect(replays.count == 1 && replays.first?["actor"]?.stringValue == "operator:ops")
            #expect(replays.first?["details"]?["deadLetter"]?.stringValue == letterID)
            let after = try await PushBus.queue(world.ops, id)
            #expect(after?["deadLetters"] == .integer(0))
            #expect(after?["consecutiveFailures"] == .integer(0))
            #expect(after?["lastError"] == .null)
        }
    }

    @Test(

        "timeouts and refused connections are failures; a discarded dead letter is gone; a replay reaches a recovered webhook",

        arguments: TestStore.allCases)
    func timeoutRefusedDiscard(store: TestStore) async throws {
        let clock = ManualClock(Date())
        try await PushBus.run(store: store, clock: clock, delivery: PushBus.configuration(attempts: 2, batchSize: 1)) { bus in
            let receiver = try await PushReceiver.start(pki: bus.pki, mode: .hang)
            let world = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            let id = try await PushBus.activeSubscription(tax, url: receiver.url)
            try await world.push([EnvelopeBuilder.upsert(Exchange.record(1))])
            try await PushBus.eventually("the timeout is recorded") { try await bus.store.deliveryState(subscription: id)?.batch?.attempts == 1 }
            #expect(try await bus.store.deliveryState(subscription: id)?.lastError?.contains("timed out") == true)
            clock.advance(by: 1)
            let deadLetters = "/v1/ops/subscriptions/\(id)/dead-letters"
            try await PushBus.eventually("the first dead letter") {
                try await world.ops.get(deadLetters).json?["deadLetters"]?.arrayValue?.count == 1
            }

            // Nothing listens any more: the connection is refused.
            await receiver.stop()
            try await world.push([EnvelopeBuilder.upsert(Exchange.record(2))])
            try await PushBus.eventually("the refusal is recorded") {
                let state = try await bus.store.deliveryState(subscription: id)
                return state?.batch?.first == 2 && state?.batch?.attempts == 1
            }
            let refused = try await PushBus.queue(world.ops, id)
            #expect(refused?["lastError"]?.stringValue?.contains("refused") == true, "\(String(describing: refused?["lastError"]))")
            #expect(refused?["consecutiveFailures"] == .integer(3))
            clock.advance(by: 1)
            try await PushBus.eventually("the second dead letter") {
                try await world.ops.get(deadLetters).json?["deadLetters"]?.arrayValue?.count == 2
            }
            let letters = try #require(try await world.ops.get(deadLetters).json?["deadLetters"]?.arrayValue)
            #expect(letters.map { $0["firstSequence"] } == [.integer(1), .integer(2)])
            let (first, second) = (try #require(letters[0]["id"]?.stringValue), try #require(letters[1]["id"]?.stringValue))

            let discarded = try await world.ops.request(.DELETE, "\(deadLetters)/\(first)")
            #expect(discarded.status == 204, "\(discarded.text)")
            #expect(try await world.ops.get(deadLetters).json?["deadLetters"]?.arrayValue?.map { $0["id"]?.stringValue } == [second])
            let again = try await world.ops.request(.DELETE, "\(deadLetters)/\(first)")
            #expect(again.status == 404)
            #expect(again.problemCode == "dead-letter-not-found")
            let unknown = try await world.ops.post("\(deadLetters)/\(UUID().uuidString.lowercased())/replay")
            #expect(unknown.problemCode == "dead-letter-not-found")
            let discards = try await Exchange.audit(world.ops, action: "deadletter.discard")
            #expect(discards.count == 1 && discards.first?["details"]?["deadLetter"]?.stringValue == first)

            // The webhook is back on the same port: replaying the second dead letter delivers it.
            let back = try await PushReceiver.start(pki: bus.pki, port: receiver.port)
            defer { Task { await back.stop() } }
            #expect(try await world.ops.post("\(deadLetters)/\(second)/replay").status == 202)
            _ = try await back.waitFor(1)
            #expect(try PushBus.batches(back, bus: bus) == [[2]])
            try await PushBus.eventually("no dead letters left") {
                try await world.ops.get(deadLetters).json?["deadLetters"]?.arrayValue?.isEmpty == true
            }
        }
    }
}
