import Foundation
import Logging
import ShareBusCore
import ShareBusCrypto
import ShareBusDelivery
import ShareBusPostgres
import ShareBusStore
import ShareBusTesting
import Synchronization
import Testing

/// Two push dispatchers, each with its own connection pool, on one PostgreSQL database: the
/// leases keep each subscription with one of them, and a dispatcher that dies without releasing
/// hands its subscriptions to the other once its leases expire.
@Suite("PostgreSQL push leases", .serialized)
struct PostgresPushLeaseTests {
    static let subscriptions = ["s1", "s2", "s3", "s4"]
    static let ttl = Duration.seconds(2)

    @Test("two dispatchers never push one subscription at once; a killed one's work moves after the ttl")
    func takeover() async throws {
        let url = try await PostgresCluster.shared().makeDatabase()
        let storeA = try await PostgresStore.open(url: url)
        let storeB = try await PostgresStore.open(url: url)
        defer { Task { await storeA.close(); await storeB.close() } }
        try await Self.prepare(storeA, envelopes: 1...20)
        // Each node starts out holding half the subscriptions, so both deliver side by side.
        let now = Date()
        #expect(try await storeA.claimPushLeases(node: "node-a", subscriptions: ["s1", "s2"], ttl: Self.ttl, now: now) == ["s1", "s2"])
        #expect(try await storeB.claimPushLeases(node: "node-b", subscriptions: ["s3", "s4"], ttl: Self.ttl, now: now) == ["s3", "s4"])
        let webhook = RecordingWebhook()
        let pki = try TestPKI()
        let nodeA = try Self.dispatcher(storeA, node: "node-a", pki: pki)
        let nodeB = try Self.dispatcher(storeB, node: "node-b", pki: pki)
        let runA = Task { await nodeA.run(transport: webhook.transport(node: "node-a")) }
        let runB = Task { await nodeB.run(transport: webhook.transport(node: "node-b")) }
        defer { runB.cancel() }
        try await Self.waitForCursors(storeA, at: 20)
        #expect(webhook.overlaps == 0, "no subscription was pushed by two nodes at once")
        let heldByA = Set(try await storeA.pushLeaseHolders().filter { $0.value == "node-a" }.keys)
        #expect(heldByA == ["s1", "s2"], "the holders kept their leases")
        for subscription in Self.subscriptions {
            let expected = subscription < "s3" ? "node-a" : "node-b"
            #expect(Set(webhook.posts(for: subscription).map(\.node)) == [expected], "\(subscription) stayed with \(expected)")
        }

        // node-a dies: cancelled, its leases left in the table.
        runA.cancel()
        await runA.value
        let killedAt = ContinuousClock.now
        try await Self.prepare(storeA, envelopes: 21...30, subscribe: false)
        try await Self.waitForCursors(storeB, at: 30)
        #expect(webhook.overlaps == 0)
        for subscription in heldByA {
            let after = webhook.posts(for: subscription).filter { $0.at > killedAt }
            #expect(after.allSatisfy { $0.node == "node-b" }, "\(subscription) moved to node-b")
            let first = try #require(after.first)
            #expect(first.at - killedAt >= Self.ttl / 2, "\(subscription) waited for node-a's lease to expire")
            #expect(first.at - killedAt < Self.ttl + .seconds(2), "\(subscription) was taken over soon after the ttl")
        }
        for subscription in Self.subscriptions {
            let sequences = webhook.posts(for: subscription).map(\.sequence)
            #expect(Set(sequences) == Set(1...30), "\(subscription): every message delivered")
        }
    }

    @Test("a node cut off from the database stops its open POST before its lease runs out, so the next holder never overlaps it")
    func cutOffNodeStopsItsAttempt() async throws {
        let url = try await PostgresCluster.shared().makeDatabase()
        let storeA = try await PostgresStore.open(url: url)
        let storeB = try await PostgresStore.open(url: url)
        defer { Task { await storeB.close() } }
        try await Self.prepare(storeA, envelopes: 1...3)
        let all = Set(Self.subscriptions)
        #expect(try await storeA.claimPushLeases(node: "node-a", subscriptions: Self.subscriptions, ttl: Self.ttl, now: Date()) == all)
        let webhook = RecordingWebhook()
        let pki = try TestPKI()
        let nodeA = try Self.dispatcher(storeA, node: "node-a", pki: pki)
        let nodeB = try Self.dispatcher(storeB, node: "node-b", pki: pki)
        // node-a's webhook calls hang (a slow receiver), far beyond the lease.
        let runA = Task { await nodeA.run(transport: webhook.transport(node: "node-a", hold: .seconds(60))) }
        defer { runA.cancel() }
        let deadline = ContinuousClock.now + .seconds(10)
        while webhook.open(by: "node-a") < all.count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(webhook.open(by: "node-a") == all.count, "node-a has a POST open for every subscription")
        // The database goes away for node-a, which stays alive: its renewals fail from now on.
        await storeA.close()
        let cutOffAt = ContinuousClock.now
        let runB = Task { await nodeB.run(transport: webhook.transport(node: "node-b")) }
        defer { runB.cancel() }
        try await Self.waitForCursors(storeB, at: 3)
        #expect(webhook.overlaps == 0, "no subscription was pushed by two nodes at once")
        for subscription in Self.subscriptions {
            let stopped = try #require(webhook.cancelled(subscription, by: "node-a"), "\(subscription): node-a's POST was cancelled")
            #expect(stopped - cutOffAt < Self.ttl, "\(subscription): cancelled within the lease")
            let taken = try #require(webhook.posts(for: subscription).first { $0.node == "node-b" })
            #expect(taken.at > stopped, "\(subscription): node-b posted only after node-a had stopped")
            #expect(Set(webhook.posts(for: subscription).map(\.sequence)) == [1, 2, 3])
        }
    }

    static func dispatcher(_ store: PostgresStore, node: String, pki: TestPKI) throws -> PushDispatcher {
        var configuration = DeliveryConfiguration()
        configuration.batchSize = 1
        configuration.scanInterval = .milliseconds(200)
        let credential = PushCredential(
            certificatePEM: pki.busClient.certificatePEM, privateKeyPEM: pki.busClient.privateKeyPEM, platformCAPEM: "")
        return PushDispatcher(
            store: store, signer: try BusSigner(certificatePEM: pki.busSigning.certificatePEM, privateKeyPEM: pki.busSigning.privateKeyPEM),
            clock: SystemClock(), notifier: LogNotifier(), configuration: configuration, credential: credential,
            logger: Logger(label: "sharebus.push.\(node)"), node: node, leaseTTL: ttl)
    }

    /// A published resource, one push subscription per webhook, and one envelope per sequence.
    static func prepare(_ store: PostgresStore, envelopes: ClosedRange<Int>, subscribe: Bool = true) async throws {
        if subscribe {
            _ = try await store.changeResource(code: "r.a", audit: Fixture.audit("resource.create")) { _ in
                .insert(Fixture.resource("r.a", status: .published))
            }
            for id in subscriptions {
                try await store.createSubscription(
                    Fixture.subscription(id, delivery: .push(url: "https://hooks.example.gov.cn/\(id)")), startAtHead: false,
                    audit: Fixture.audit("subscription.request"))
            }
        }
        for n in envelopes { try await Fixture.accept(Fixture.envelope("e\(n)"), in: store) }
    }

    static func waitForCursors(_ store: PostgresStore, at head: Int64) async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            var done = true
            for id in subscriptions where try await store.subscription(id: id)?.cursor != head { done = false }
            if done { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the subscriptions did not reach \(head) in time")
    }
}

/// A webhook for every subscription that notes which node posted which sequence, and counts the
/// times a second POST for one subscription arrived while another was still being answered.
final class RecordingWebhook: Sendable {
    struct Post: Sendable {
        var node: String
        var sequence: Int64
        var at: ContinuousClock.Instant
    }

    private struct State {
        var inFlight: [String: Int] = [:]
        var posts: [String: [Post]] = [:]
        var overlaps = 0
        /// POSTs open per node, and when each node's POST of a subscription was cancelled.
        var open: [String: Int] = [:]
        var cancelled: [String: ContinuousClock.Instant] = [:]
    }

    private let state = Mutex(State())

    var overlaps: Int { state.withLock { $0.overlaps } }

    func posts(for subscription: String) -> [Post] { state.withLock { $0.posts[subscription] ?? [] } }

    func open(by node: String) -> Int { state.withLock { $0.open[node] ?? 0 } }

    func cancelled(_ subscription: String, by node: String) -> ContinuousClock.Instant? {
        state.withLock { $0.cancelled[node + "/" + subscription] }
    }

    /// A node's transport; each POST is answered after `hold` (slowly, so that a second node
    /// pushing the same subscription would overlap), or not at all when it is cancelled first.
    func transport(node: String, hold: Duration = .milliseconds(15)) -> some PushTransport {
        Transport(webhook: self, node: node, hold: hold)
    }

    struct Transport: PushTransport {
        let webhook: RecordingWebhook
        let node: String
        let hold: Duration

        func post(_ body: [UInt8], to url: String) async -> PushResult {
            let subscription = String(url.split(separator: "/").last ?? "")
            webhook.state.withLock { state in
                state.inFlight[subscription, default: 0] += 1
                state.open[node, default: 0] += 1
                if state.inFlight[subscription]! > 1 { state.overlaps += 1 }
            }
            try? await Task.sleep(for: hold)
            if Task.isCancelled {
                webhook.state.withLock { state in
                    state.inFlight[subscription, default: 1] -= 1
                    state.open[node, default: 1] -= 1
                    state.cancelled[node + "/" + subscription] = .now
                }
                return .failed("cancelled")
            }
            let sequences = Self.sequences(body)
            webhook.state.withLock { state in
                state.open[node, default: 1] -= 1
                state.inFlight[subscription, default: 1] -= 1
                for sequence in sequences {
                    state.posts[subscription, default: []].append(Post(node: node, sequence: sequence, at: .now))
                }
            }
            return .delivered(status: 200)
        }

        /// The sequences of a signed delivery body (a flattened JWS whose payload lists `messages`).
        static func sequences(_ body: [UInt8]) -> [Int64] {
            guard let jws = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
                let encoded = jws["payload"] as? String, let payload = Base64URL.decode(encoded),
                let json = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any],
                let messages = json["messages"] as? [[String: Any]]
            else { return [] }
            return messages.compactMap { ($0["sequence"] as? NSNumber)?.int64Value }
        }
    }
}
