import Foundation
import ShareBusCore
import ShareBusPostgres
import ShareBusStore
import ShareBusTesting
import Testing

@testable import ShareBusPostgres

/// What only a shared PostgreSQL database has to get right: several nodes, each with a pool of its
/// own, writing one database at once.
@Suite("PostgreSQL store: several nodes on one database")
struct PostgresStoreTests {
    /// `count` stores on one new database, as separate nodes would open it; closed after `body`.
    static func withNodes<T: Sendable>(_ count: Int, _ body: ([PostgresStore]) async throws -> T) async throws -> T {
        let url = try await PostgresCluster.shared().makeDatabase()
        // Opened at once: the migrations run once, under the advisory lock.
        let nodes = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for _ in 0..<count { group.addTask { try await PostgresStore.open(url: url) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        do {
            let value = try await body(nodes)
            for node in nodes { await node.close() }
            return value
        } catch {
            for node in nodes { await node.close() }
            throw error
        }
    }

    @Test("four nodes opening one database at once apply the migrations once")
    func concurrentMigrations() async throws {
        try await Self.withNodes(4) { nodes in
            for node in nodes { #expect(await node.isReady) }
            let applied = try await nodes[0].appliedMigrations()
            #expect(applied == Set(PostgresStore.migrations.map(\.version)))
        }
    }

    @Test("accepts spread over three nodes on one resource: one gap-free order, one audit chain")
    func multiNodeOrdering() async throws {
        try await Self.withNodes(3) { nodes in
            let payloads = try await withThrowingTaskGroup(of: ReceiptPayload?.self) { group in
                for index in 0..<90 {
                    let node = nodes[index % nodes.count]
                    group.addTask {
                        let operations = (0...(index % 4)).map { Fixture.upsert("k\(index)-\($0)", #"{"i":\#(index)}"#) }
                        // Half also touch a second resource, so the chain interleaves two logs.
                        if index % 2 == 0 { try await Fixture.accept(Fixture.envelope("b\(index)", resource: "r.b"), in: node) }
                        return try await Fixture.accept(Fixture.envelope("m\(index)", operations), in: node).acceptedPayload
                    }
                }
                return try await group.reduce(into: [ReceiptPayload]()) { if let payload = $1 { $0.append(payload) } }
            }
            #expect(payloads.count == 90)
            let log = try await nodes[1].log(resource: "r.a", after: 0, limit: 10_000)
            let expected: Int = (0..<90).map { (index: Int) -> Int in 1 + index % 4 }.reduce(0, +)
            #expect(log.count == expected)
            #expect(log.map(\.sequence) == Array(1...Int64(log.count)), "no gap, no duplicate")
            for payload in payloads {
                #expect(log.filter { $0.envelopeId == payload.envelopeId }.map(\.sequence) == Array(payload.firstSequence...payload.lastSequence))
            }
            #expect(try await nodes[2].head(resource: "r.a") == Int64(log.count))
            #expect(try await nodes[0].log(resource: "r.b", after: 0, limit: 100).map(\.sequence) == Array(1...45))
            let chain = try await Fixture.verifiedChain(nodes[2])
            #expect(chain.count == 135)
            #expect(Set(payloads.map(\.auditIndex)).count == 90)
        }
    }

    @Test("the same envelope sent to two nodes at once: one log entry, and the loser answers the original receipt")
    func concurrentDuplicates() async throws {
        try await Self.withNodes(2) { nodes in
            for round in 0..<20 {
                // Odd rounds name another resource in the second copy: the (sender, id) key decides.
                let first = Fixture.envelope("d\(round)")
                var second = first
                if round % 2 == 1 { second.resource = "r.other" }
                async let a = Fixture.accept(first, in: nodes[0])
                async let b = Fixture.accept(second, in: nodes[1])
                let outcomes = try await [a, b]
                let accepted = outcomes.compactMap(\.acceptedPayload)
                let duplicates = outcomes.compactMap(\.duplicateReceipt)
                #expect(accepted.count == 1 && duplicates.count == 1)
                if let payload = accepted.first {
                    #expect(duplicates.first == "receipt:\(payload.envelopeId):\(payload.firstSequence)-\(payload.lastSequence):\(payload.auditIndex)")
                }
            }
            let log = try await nodes[0].log(resource: "r.a", after: 0, limit: 1000)
            let other = try await nodes[0].log(resource: "r.other", after: 0, limit: 1000)
            #expect(log.count + other.count == 20)
            #expect(Set((log + other).map(\.envelopeId)).count == 20)
            #expect(log.map(\.sequence) == Array(1...Int64(log.count)))
            #expect(try await Fixture.verifiedChain(nodes[1]).count == 20)
        }
    }

    @Test("an envelope committed on one node is announced on every node's stream, with its head")
    func notifications() async throws {
        try await Self.withNodes(2) { nodes in
            let changes = nodes[1].logChanges()
            let deadline = ContinuousClock.now + .seconds(10)
            while !nodes[1].isListening && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(nodes[1].isListening)
            try await Fixture.accept(Fixture.envelope("n1", [Fixture.upsert("a", "{}"), Fixture.upsert("b", "{}")]), in: nodes[0])
            try await Fixture.accept(Fixture.envelope("n2", resource: "r.\"quoted\""), in: nodes[0])
            // A refused envelope announces nothing.
            _ = try? await Fixture.accept(Fixture.envelope("n1", payload: "other"), in: nodes[0])
            let received = try await withThrowingTaskGroup(of: [String].self) { group in
                group.addTask {
                    var seen: [String] = []
                    for await change in changes {
                        seen.append("\(change.resource)@\(change.head)")
                        if seen.count == 2 { break }
                    }
                    return seen
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(10))
                    return []
                }
                let first = try await group.next() ?? []
                group.cancelAll()
                return first
            }
            #expect(received == ["r.a@2", "r.\"quoted\"@1"])
        }
    }

    @Test("the holder lookup uses the expression index")
    func holderIndex() async throws {
        try await Self.withNodes(1) { nodes in
            try await Fixture.accept(
                Fixture.envelope("h1", resource: "cert.a", (0..<50).map { Fixture.upsert("k\($0)", #"{"holderId":"H\#($0)"}"#) }), in: nodes[0])
            let plan = try await nodes[0].holderQueryPlan(resource: "cert.a", holderId: "H7", forceIndex: true)
            #expect(plan.contains("record_state_holder"), "\(plan)")
        }
    }
}
