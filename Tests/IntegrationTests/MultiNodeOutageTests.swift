import Foundation
import ShareBusCore
import ShareBusTesting
import Testing

/// The database crashing under three running nodes: they say they are not ready, answer 503
/// problem+json within the time limit instead of hanging, and carry on by themselves once it is back.
@Suite("Several nodes ride out a PostgreSQL crash", .timeLimit(.minutes(3)))
struct MultiNodeOutageTests {
    @Test("PostgreSQL stopped in immediate mode mid-stream: readyz 503, bounded 503 answers, recovery, nothing acknowledged lost")
    func databaseCrash() async throws {
        // A cluster of its own: it is stopped under the nodes.
        let cluster = try PostgresCluster.start()
        defer { cluster.stop() }
        let bus = try await MultiNodeBus.prepare(cluster: cluster)
        defer { bus.ws.remove() }
        let builder = try bus.builder()
        try await bus.withThreeNodes { nodes in
            let providers = try nodes.map { try PEMFileClient(port: $0.port, workspace: bus.ws, department: CLIExchange.provider) }
            let consumers = try nodes.map { try PEMFileClient(port: $0.port, workspace: bus.ws, department: CLIExchange.consumer) }
            let subscription = try await CLIExchange.subscribe(consumers[0])
            let run = MultiNodeRun()
            for n in 0..<20 {
                let body = try bus.envelope(builder, key: "before-\(n)", value: Int64(n))
                if await MultiNodeTests.push(body, providers: providers, run: run) { run.accepted.withLock { _ = $0.insert("before-\(n)") } }
            }
            #expect(run.accepted.withLock { $0.count } == 20)

            // Every client has been seen by every node, as under steady traffic: a node knows its
            // callers' certificates without asking the database.
            for client in providers + consumers { #expect(try await client.get("/readyz").status == 200) }

            try cluster.stopServerImmediately()
            let clock = ContinuousClock()
            for (index, consumer) in consumers.enumerated() {
                let deadline = clock.now + .seconds(15)
                var ready = try await consumer.get("/readyz")
                while ready.status != 503, clock.now < deadline {
                    try await Task.sleep(for: .milliseconds(100))
                    ready = try await consumer.get("/readyz")
                }
                #expect(ready.status == 503, "node \(index + 1) says it is not ready: \(ready.status) \(ready.text)")
            }

            // Writes on every node at once: each answers 503 problem+json within the time limit.
            let started = clock.now
            try await withThrowingTaskGroup(of: PEMFileClient.Reply.self) { group in
                for (index, provider) in providers.enumerated() {
                    let body = try bus.envelope(builder, key: "during-\(index)", value: 0)
                    group.addTask { try await provider.post("/v1/envelopes", body: body, contentType: EnvelopeBuilder.mediaType) }
                }
                for try await refused in group {
                    #expect(refused.status == 503 && refused.contentType == "application/problem+json", "\(refused.status) \(refused.text)")
                    #expect(refused.problemCode == "storage-unavailable", "\(refused.text)")
                }
            }
            #expect(clock.now - started < .seconds(15), "answered within the time limit, not hanging")

            try cluster.startServer()
            for (index, consumer) in consumers.enumerated() {
                let deadline = clock.now + .seconds(30)
                var ready = try? await consumer.get("/readyz")
                while ready?.status != 200, clock.now < deadline {
                    try await Task.sleep(for: .milliseconds(200))
                    ready = try? await consumer.get("/readyz")
                }
                #expect(ready?.status == 200, "node \(index + 1) is ready again by itself")
            }
            for n in 0..<20 {
                let body = try bus.envelope(builder, key: "after-\(n)", value: Int64(n))
                if await MultiNodeTests.push(body, providers: providers, run: run) { run.accepted.withLock { _ = $0.insert("after-\(n)") } }
            }
            run.pushing.withLock { $0 = false }
            let ledger = try await MultiNodeTests.consume(subscription: subscription, consumers: consumers, run: run)
            let accepted = run.accepted.withLock { $0 }
            #expect(accepted.count == 40)
            #expect(ledger.gaps == 0 && ledger.reordered == 0)
            #expect(ledger.keys.count == Int(ledger.cursor))
            #expect(accepted.isSubset(of: Set(ledger.keys.values)), "every accepted envelope was delivered after the crash")
        }
    }
}
