import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusPostgres
import ShareBusTesting
import Synchronization
import Testing
import X509

/// One push subscription on three `sharebus serve` nodes sharing PostgreSQL: only the node
/// holding its lease delivers; when that node is killed, another takes the subscription over once
/// the lease runs out and delivers everything accepted, in order, at least once, with no gaps.
@Suite("Several nodes share push delivery", .timeLimit(.minutes(4)))
struct MultiNodePushTests {
    static let before = 40
    static let during = 160
    /// What the nodes run with: the default 10 s lease, renewed every scan (1 s).
    static let leaseTTL = Duration.seconds(10)

    @Test("one node at a time delivers a push subscription; a SIGKILLed holder's subscription moves within the lease time, nothing lost")
    func takeover() async throws {
        let bus = try await MultiNodeBus.prepare(cluster: try await PostgresCluster.shared())
        defer { bus.ws.remove() }
        let builder = try bus.builder()
        // The webhook holds each answer a little, so that two deliveries at once would overlap visibly.
        let webhook = try await WebhookEndpoint.start(clientCAFile: bus.ws.certs + "/ca.pem", in: bus.ws.root, hold: .milliseconds(20))
        defer { Task { await webhook.stop() } }
        let store = try await PostgresStore.open(url: bus.url)
        defer { Task { await store.close() } }
        let signing = try CLIExchange.busCertificate(bus.ws)
        let started = ContinuousClock.now
        try await bus.withThreeNodes(adding: ["--webhook-allow", "127.0.0.1", "--webhook-ca", webhook.caFile]) { nodes in
            let names = try await nodes.asyncMap { try await PushNodes.name(of: $0) }
            let providers = try nodes.map { try PEMFileClient(port: $0.port, workspace: bus.ws, department: CLIExchange.provider) }
            let consumer = try PEMFileClient(port: nodes[1].port, workspace: bus.ws, department: CLIExchange.consumer)
            let subscription = try await PushNodes.subscribe(consumer, url: webhook.url)
            let leases = LeaseWatch(store: store, subscription: subscription)
            let watching = Task { await leases.watch() }
            defer { watching.cancel() }
            let run = MultiNodeRun()
            let pushes = PushTally()

            for n in 0..<Self.before {
                await PushNodes.push(try bus.envelope(builder, key: "a-\(n)", value: Int64(n)), "a-\(n)", providers, run, pushes)
            }
            #expect(pushes.created.count == Self.before, "every envelope before the kill got a 201")
            _ = try await PushNodes.waitForDelivery(of: pushes.accepted, webhook: webhook, signing: signing, timeout: .seconds(30))
            let holder = try #require(leases.current, "the subscription has a lease row")
            let killed = try #require(names.firstIndex(of: holder), "the lease holder \(holder) is one of the nodes \(names)")
            let holderPID = PushNodes.pid(holder)
            let early = webhook.requests
            #expect(!early.isEmpty && early.allSatisfy { $0.sender == holderPID }, "only the lease holder delivered: \(early.map(\.sender))")

            // More envelopes through random nodes; the holder is killed part-way and the rest go to the others.
            let pusher = Task {
                for n in 0..<Self.during {
                    let key = "b-\(n)"
                    await PushNodes.push(try bus.envelope(builder, key: key, value: Int64(n)), key, providers, run, pushes)
                    try await Task.sleep(for: .milliseconds(60))
                }
            }
            while pushes.accepted.count < Self.before + 20 { try await Task.sleep(for: .milliseconds(10)) }
            // Killed with a delivery open: the webhook has the batch but the holder never hears back, so
            // the batch is not acknowledged and must come again from the successor.
            webhook.hold(answersFor: .seconds(5))
            try await Task.sleep(for: .milliseconds(100))
            let opened = ContinuousClock.now + .seconds(10)
            while webhook.inFlight == 0, ContinuousClock.now < opened { try await Task.sleep(for: .milliseconds(5)) }
            #expect(webhook.inFlight == 1, "a delivery is open when the holder is killed")
            let killing = ContinuousClock.now
            run.live.withLock { $0.removeAll { $0 == killed } }
            #expect(await nodes[killed].stop(signal: SIGKILL) == 9)
            let dead = ContinuousClock.now
            webhook.hold(answersFor: .milliseconds(20))
            try await pusher.value
            run.pushing.withLock { $0 = false }

            let delivered = try await PushNodes.waitForDelivery(of: pushes.accepted, webhook: webhook, signing: signing, timeout: .seconds(40))
            let requests = webhook.requests
            let changes = leases.changes
            let successor = try #require(changes.first { $0.at > killing && $0.node != holder }, "another node took the lease: \(changes)")
            #expect(successor.node != holder && names.contains(successor.node))
            let successorPID = PushNodes.pid(successor.node)
            let takeover = successor.at - killing
            let firstDelivery = requests.first { $0.started > killing && $0.sender == successorPID }.map { $0.started - killing }
            print(
                """
                multi-node push: \(pushes.accepted.count) envelopes accepted (\(pushes.created.count) with 201), killed at \(Self.before + 20); \
                lease moved after \(takeover), new holder delivering after \(firstDelivery.map { "\($0)" } ?? "never"); \
                \(requests.count) requests, \(delivered.duplicates) messages delivered twice; ran \(ContinuousClock.now - started)
                """)

            // Exactly one node at a time: the holder alone until it died, the successor alone after.
            #expect(changes.filter { $0.at < killing }.map(\.node) == [holder], "the lease stayed with one node until the kill: \(changes)")
            #expect(changes.filter { $0.at > killing }.map(\.node) == [successor.node], "the lease moved once, and stayed: \(changes)")
            for request in requests where request.started < killing {
                #expect(request.sender == holderPID, "before the kill only the holder delivers: \(String(describing: request.sender))")
            }
            for request in requests where request.started > dead {
                #expect(request.sender == successorPID, "after the kill only the successor delivers: \(String(describing: request.sender))")
            }
            #expect(webhook.mostInFlight == 1, "never two deliveries open at once")
            #expect(PushNodes.overlaps(requests) == 0, "no two requests overlapped in time")

            // Taken over within the lease time and a scan (measured), bounded generously.
            #expect(takeover >= Self.leaseTTL / 2, "the successor waited for the lease to expire: \(takeover)")
            #expect(takeover < .seconds(30), "taken over within \(takeover)")
            #expect(firstDelivery.map { $0 < .seconds(30) } == true, "delivering again within 30 s: \(String(describing: firstDelivery))")

            // Everything accepted, in order, at least once, no gaps.
            #expect(pushes.created.count >= Self.before + Self.during - 5, "nearly every push got a 201: \(pushes.created.count)")
            #expect(pushes.accepted.isSubset(of: Set(delivered.keys.values)), "every accepted envelope was delivered")
            #expect(delivered.gaps == 0, "no batch started past the highest sequence delivered plus one")
            #expect(delivered.disordered == 0, "each batch in ascending sequence order")
            #expect(delivered.keys.count == pushes.accepted.count && Set(delivered.keys.keys) == Set(1...Int64(pushes.accepted.count)))
            #expect(delivered.conflicting == 0, "a redelivered sequence carries the same envelope")
            let cut = try #require(requests.last { $0.started < killing }, "the request open at the kill")
            #expect(cut.sender == holderPID && cut.answered >= killing, "the request open at the kill was the holder's, never answered")
            let again = try PushedLedger(requests.filter { $0.started > dead }, signing: signing)
            let lost = try PushedLedger([cut], signing: signing).keys
            #expect(!lost.isEmpty && lost.allSatisfy { again.keys[$0.key] == $0.value }, "the unanswered batch was delivered again")
            #expect(delivered.duplicates >= lost.count)
        }
    }
}

/// What the pushes got: keys answered 201, and keys answered 201 or 200 (accepted earlier, the
/// answer lost with a killed node).
final class PushTally: Sendable {
    private let state = Mutex<(created: Set<String>, accepted: Set<String>)>(([], []))
    var created: Set<String> { state.withLock { $0.created } }
    var accepted: Set<String> { state.withLock { $0.accepted } }

    func record(_ key: String, status: Int) {
        state.withLock { state in
            if status == 201 { state.created.insert(key) }
            if status == 201 || status == 200 { state.accepted.insert(key) }
        }
    }
}

/// The node named in a subscription's lease row, sampled every 50 ms: each change with when it was seen.
final class LeaseWatch: Sendable {
    struct Change: Sendable, CustomStringConvertible {
        let node: String
        let at: ContinuousClock.Instant
        var description: String { node }
    }

    let store: PostgresStore
    let subscription: String
    private let seen = Mutex<[Change]>([])

    init(store: PostgresStore, subscription: String) {
        self.store = store
        self.subscription = subscription
    }

    var changes: [Change] { seen.withLock { $0 } }
    var current: String? { changes.last?.node }

    func watch() async {
        while !Task.isCancelled {
            if let node = try? await store.pushLeaseHolders()[subscription] {
                let now = ContinuousClock.now
                seen.withLock { if $0.last?.node != node { $0.append(Change(node: node, at: now)) } }
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// What a webhook received, its bus signatures checked.
struct PushedLedger {
    var keys: [Int64: String] = [:]
    var duplicates = 0
    var gaps = 0
    var disordered = 0
    var conflicting = 0

    /// Takes the batches in the order their requests arrived.
    init(_ requests: [WebhookEndpoint.Request], signing: Certificate) throws {
        var highest: Int64 = 0
        for request in requests where request.complete {
            let payload = try BusReply.verify(request.body, certificate: signing, type: BusSigner.deliveryType).payload
            let messages = (payload["messages"]?.arrayValue ?? []).compactMap { message -> (Int64, String)? in
                guard case .integer(let sequence)? = message["sequence"], let key = message["key"]?.stringValue else { return nil }
                return (sequence, key)
            }
            guard let first = messages.first?.0 else { continue }
            if first > highest + 1 { gaps += 1 }
            if zip(messages, messages.dropFirst()).contains(where: { $1.0 != $0.0 + 1 }) { disordered += 1 }
            for (sequence, key) in messages {
                if let known = keys[sequence] {
                    duplicates += 1
                    if known != key { conflicting += 1 }
                } else {
                    keys[sequence] = key
                }
                highest = max(highest, sequence)
            }
        }
    }
}

/// The steps of the multi-node push test.
enum PushNodes {
    /// The node's lease name, from the line it logs when push delivery starts.
    static func name(of node: CLI.Server) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            for line in (node.stderr + node.stdout).split(separator: "\n") where line.contains("push delivery started") {
                if let match = line.firstMatch(of: /bus\.node=(\S+)/) { return String(match.1) }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CLI.Failure(description: "the node never logged its push delivery start\n\(node.stdout)\(node.stderr)")
    }

    /// The process id in a lease name (`host-pid-random`).
    static func pid(_ name: String) -> Int32? {
        let parts = name.split(separator: "-")
        return parts.count >= 3 ? Int32(parts[parts.count - 2]) : nil
    }

    /// Subscribes the consumer for push delivery to `url`; the resource is unconditional, so it is active at once.
    static func subscribe(_ consumer: PEMFileClient, url: String) async throws -> String {
        let reply = try await consumer.post(
            "/v1/subscriptions",
            json: .object([
                "resource": .string(CLIExchange.resource), "fields": .array([.string("value")]), "permissions": .array([.string("push")]),
                "purpose": .string("多节点推送测试"), "delivery": .object(["mode": .string("push"), "url": .string(url)]),
            ]))
        #expect(reply.status == 201, "subscribe: \(reply.text)")
        #expect(reply.json?["status"]?.stringValue == "active", "\(reply.text)")
        return try #require(reply.json?["id"]?.stringValue)
    }

    /// Pushes through random live nodes until one answers 201 or 200, recording the answer.
    static func push(_ body: [UInt8], _ key: String, _ providers: [PEMFileClient], _ run: MultiNodeRun, _ tally: PushTally) async {
        for _ in 0..<8 {
            guard let node = run.live.withLock({ $0.randomElement() }) else { return }
            if let reply = try? await providers[node].post("/v1/envelopes", body: body, contentType: EnvelopeBuilder.mediaType),
                reply.status == 201 || reply.status == 200
            {
                tally.record(key, status: reply.status)
                return
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits until the webhook has received every key of `accepted`; answers what it received.
    static func waitForDelivery(of accepted: Set<String>, webhook: WebhookEndpoint, signing: Certificate, timeout: Duration) async throws
        -> PushedLedger
    {
        let deadline = ContinuousClock.now + timeout
        while true {
            let ledger = try PushedLedger(webhook.requests, signing: signing)
            if accepted.isSubset(of: Set(ledger.keys.values)) || ContinuousClock.now >= deadline { return ledger }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Pairs of requests open at the same time.
    static func overlaps(_ requests: [WebhookEndpoint.Request]) -> Int {
        let sorted = requests.sorted { $0.started < $1.started }
        return zip(sorted, sorted.dropFirst()).filter { $1.started < $0.answered }.count
    }
}

extension Array {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async throws -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
