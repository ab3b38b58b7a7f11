import Foundation
import ShareBusCore
import ShareBusTesting
import Synchronization
import Testing

/// Three real `sharebus serve` processes on one PostgreSQL database behave as one bus.
@Suite("Several nodes on one PostgreSQL store act as one bus", .serialized, .timeLimit(.minutes(3)))
struct MultiNodeTests {
    @Test("pushes to random nodes reach the consumer through random nodes in order, without gaps, also with a node SIGKILLed mid-stream")
    func pushPullAcrossNodes() async throws {
        let bus = try await MultiNodeBus.prepare()
        defer { bus.ws.remove() }
        let builder = try bus.builder()
        try await bus.withThreeNodes { nodes in
            let providers = try nodes.map { try PEMFileClient(port: $0.port, workspace: bus.ws, department: CLIExchange.provider) }
            let consumers = try nodes.map { try PEMFileClient(port: $0.port, workspace: bus.ws, department: CLIExchange.consumer) }
            let subscription = try await CLIExchange.subscribe(consumers[0])
            let run = MultiNodeRun()
            async let consumed = Self.consume(subscription: subscription, consumers: consumers, run: run)
            async let pushed: Void = Self.pushAll(bus: bus, builder: builder, providers: providers, run: run)
            // Node 3 dies without warning while the pushes and pulls go on.
            try await Task.sleep(for: .milliseconds(800))
            run.live.withLock { $0.removeAll { $0 == 2 } }
            #expect(await nodes[2].stop(signal: SIGKILL) == 9)
            try await pushed
            run.pushing.withLock { $0 = false }
            let ledger = try await consumed
            let acceptedKeys = run.accepted.withLock { $0 }
            #expect(acceptedKeys.count >= 90, "most pushes were accepted: \(acceptedKeys.count)")
            #expect(ledger.gaps == 0 && ledger.reordered == 0, "in order and without gaps: \(ledger.gaps) gaps, \(ledger.reordered) reordered")
            #expect(ledger.keys.count == Int(ledger.cursor), "sequences 1...\(ledger.cursor) each seen")
            #expect(acceptedKeys.isSubset(of: Set(ledger.keys.values)), "every accepted envelope was delivered")
        }
    }

    @Test("a long-poll on one node wakes soon after another node accepts an envelope")
    func crossNodeWake() async throws {
        let bus = try await MultiNodeBus.prepare()
        defer { bus.ws.remove() }
        let builder = try bus.builder()
        try await bus.withThreeNodes { nodes in
            let provider = try PEMFileClient(port: nodes[1].port, workspace: bus.ws, department: CLIExchange.provider)
            let consumer = try PEMFileClient(port: nodes[0].port, workspace: bus.ws, department: CLIExchange.consumer)
            let subscription = try await CLIExchange.subscribe(consumer)
            var gaps: [Duration] = []
            for round in 1...5 {
                async let poll: (PEMFileClient.Reply, ContinuousClock.Instant) = {
                    let reply = try await consumer.get("/v1/subscriptions/\(subscription)/messages?limit=10&wait=10")
                    return (reply, .now)
                }()
                try await Task.sleep(for: .milliseconds(400))
                let pushed = try await provider.post(
                    "/v1/envelopes", body: try bus.envelope(builder, key: "w\(round)", value: Int64(round)), contentType: EnvelopeBuilder.mediaType)
                let acceptedAt = ContinuousClock.now
                #expect(pushed.status == 201, "push: \(pushed.text)")
                let (reply, answeredAt) = try await poll
                #expect(reply.pulledMessages?.map(\.sequence) == [Int64(round)], "\(reply.text)")
                gaps.append(max(.zero, answeredAt - acceptedAt))
                let ack = try await consumer.post("/v1/subscriptions/\(subscription)/ack", json: .object(["sequence": .integer(Int64(round))]))
                #expect(ack.status == 200 || ack.status == 204, "ack: \(ack.text)")
            }
            let worst = gaps.max() ?? .zero
            print("cross-node long-poll wake after the 201: \(gaps.map { "\($0.components.attoseconds / 1_000_000_000_000_000 + $0.components.seconds * 1000) ms" })")
            #expect(worst < .seconds(1), "the long-poll woke within a second of the 201 on another node: \(gaps)")
        }
    }

    /// Four providers' worth of concurrent pushes, 25 envelopes each, to random live nodes.
    static func pushAll(bus: MultiNodeBus, builder: EnvelopeBuilder, providers: [PEMFileClient], run: MultiNodeRun) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for pusher in 0..<4 {
                group.addTask {
                    for n in 0..<25 {
                        let key = "p\(pusher)-\(n)"
                        let body = try bus.envelope(builder, key: key, value: Int64(n))
                        if await Self.push(body, providers: providers, run: run) { run.accepted.withLock { _ = $0.insert(key) } }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Pushes `body` to a random live node until one accepts it (201, or 200 for a duplicate).
    static func push(_ body: [UInt8], providers: [PEMFileClient], run: MultiNodeRun) async -> Bool {
        for _ in 0..<8 {
            guard let node = run.live.withLock({ $0.randomElement() }) else { return false }
            if let reply = try? await providers[node].post("/v1/envelopes", body: body, contentType: EnvelopeBuilder.mediaType),
                reply.status == 201 || reply.status == 200
            {
                return true
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Pulls and acknowledges through random live nodes until the pushes are over and everything accepted was seen.
    static func consume(
        subscription: String, consumers: [PEMFileClient], run: MultiNodeRun
    ) async throws -> ConsumerLedger {
        var ledger = ConsumerLedger()
        let deadline = ContinuousClock.now + .seconds(45)
        while ContinuousClock.now < deadline {
            let done = !run.pushing.withLock { $0 }
            if done, run.accepted.withLock({ $0 }).isSubset(of: Set(ledger.keys.values)) { break }
            guard let node = run.live.withLock({ $0.randomElement() }) else { break }
            guard let reply = try? await consumers[node].get("/v1/subscriptions/\(subscription)/messages?limit=25&wait=1"),
                let messages = reply.pulledMessages
            else { continue }
            ledger.take(messages)
            guard let last = messages.last?.sequence, let ackNode = run.live.withLock({ $0.randomElement() }) else { continue }
            _ = try? await consumers[ackNode].post("/v1/subscriptions/\(subscription)/ack", json: .object(["sequence": .integer(last)]))
        }
        return ledger
    }
}
