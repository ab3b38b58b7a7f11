import Foundation
public import Logging
public import ServiceLifecycle
public import ShareBusCore
public import ShareBusCrypto
public import ShareBusStore
import Synchronization

/// Push delivery for every push subscription at once, with at most `concurrency` POSTs in flight
/// and at most one per subscription (which keeps each subscription's batches in order).
///
/// The decisions are `PushStateMachine`'s; this loop only finds work, starts attempts and sleeps.
/// It looks at the store when an envelope lands on a watched resource, when an attempt ends, when
/// `wake()` is called (operator actions), when the earliest retry falls due, and at least every
/// `scanInterval`. Everything it knows is in the store, so a restart resumes where it stopped.
///
/// Several nodes may share one store: each scan claims the push subscriptions' leases for
/// `leaseTTL` (renewing those this node holds) and starts attempts only for the subscriptions it
/// holds. A node that stops renewing (killed, or cut off from the store) loses them when the
/// lease expires and a live node's next scan takes them over; graceful shutdown releases them.
/// An attempt still open when its lease runs out (a node cut off from the store but alive) is
/// cancelled a tenth of the lease before then, unrecorded, so two nodes never POST one
/// subscription at once.
public final class PushDispatcher: Service {
    let store: any ShareBusStore
    let signer: BusSigner
    let clock: any BusClock
    let notifier: LogNotifier
    let configuration: DeliveryConfiguration
    let credential: PushCredential
    let resolver: any WebhookResolver
    let logger: Logger
    let metrics: BusMetrics
    /// Opens stored records for delivery.
    let sealer: RecordSealer
    /// This process's name in the lease table.
    public let node: String
    /// How long a claimed lease lasts without renewal; the dispatcher renews at least every third of it.
    let leaseTTL: Duration
    /// Until when each lease this node holds lasts, as of its last successful claim.
    private let leaseExpiry = Mutex<[String: Date]>([:])
    private let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation

    enum Event: Sendable {
        case wake
        case finished(String)
    }

    public init(
        store: any ShareBusStore, signer: BusSigner, clock: any BusClock, notifier: LogNotifier, configuration: DeliveryConfiguration,
        credential: PushCredential, resolver: any WebhookResolver = SystemResolver(), logger: Logger, metrics: BusMetrics = .disabled,
        sealer: RecordSealer = RecordSealer(keyring: .random()), node: String = BusNode.current, leaseTTL: Duration = .seconds(10)
    ) {
        self.node = node
        self.leaseTTL = leaseTTL
        self.sealer = sealer
        self.metrics = metrics
        self.credential = credential
        self.resolver = resolver
        self.store = store
        self.signer = signer
        self.clock = clock
        self.notifier = notifier
        self.configuration = configuration
        self.logger = logger
        (events, continuation) = AsyncStream.makeStream(of: Event.self)
    }

    /// Look for work now (a replay was asked for, a subscription was resumed).
    public func wake() { continuation.yield(.wake) }

    /// The service: delivers with a `PushClient` until graceful shutdown.
    public func run() async throws {
        let client = try PushClient(
            credential: credential, configuration: configuration,
            webhooks: WebhookGuard(policy: configuration.webhookPolicy, resolver: resolver))
        logger.info(
            "push delivery started",
            metadata: ["push.concurrency": "\(configuration.concurrency)", "bus.node": "\(node)", "push.lease-ttl": "\(leaseTTL)"])
        await cancelWhenGracefulShutdown { await self.run(transport: client) }
        await releaseLeases()
        await client.shutdown()
    }

    /// Gives this node's leases up, so that other nodes take its subscriptions without waiting.
    public func releaseLeases() async {
        do {
            try await store.releasePushLeases(node: node)
            logger.info("push leases released", metadata: ["bus.node": "\(node)"])
        } catch {
            logger.warning("push leases not released; they expire by themselves", metadata: ["error": "\(error)"])
        }
    }

    /// Delivers until cancelled. Attempts in flight when it stops are abandoned unrecorded, so
    /// they are made again when it next runs.
    public func run(transport: any PushTransport) async {
        var iterator = events.makeAsyncIterator()
        await withDiscardingTaskGroup { group in
            var inFlight: Set<String> = []
            var watched: Set<String> = []
            var held: Set<String> = []
            while !Task.isCancelled {
                let due = await scan(transport: transport, inFlight: &inFlight, watched: &watched, held: &held, group: &group)
                var delay = min(configuration.scanInterval, leaseTTL / 3)
                if let due { delay = min(delay, .milliseconds(Int64(max(0, due.timeIntervalSince(clock.now())) * 1000))) }
                let continuation = self.continuation
                let timer = Task {
                    try await Task.sleep(for: delay)
                    continuation.yield(.wake)
                }
                let event = await iterator.next()
                timer.cancel()
                guard let event else { break }
                if case .finished(let id) = event { inFlight.remove(id) }
            }
            group.cancelAll()
        }
    }

    /// Starts every attempt that is due, within the concurrency bound, and answers when the
    /// earliest waiting retry falls due.
    func scan(
        transport: any PushTransport, inFlight: inout Set<String>, watched: inout Set<String>, held: inout Set<String>,
        group: inout DiscardingTaskGroup
    ) async -> Date? {
        var candidates: [PushCandidate]
        do {
            candidates = try await store.pushCandidates()
        } catch {
            logger.error("push dispatcher cannot read the store", metadata: ["error": "\(error)"])
            return nil
        }
        let claimed = await claim(candidates.map(\.subscription.id))
        if claimed != held {
            logger.info(
                "push leases changed",
                metadata: [
                    "bus.node": "\(node)", "push.gained": "\(claimed.subtracting(held).sorted())",
                    "push.lost": "\(held.subtracting(claimed).sorted())",
                ])
            held = claimed
        }
        candidates.removeAll { !claimed.contains($0.subscription.id) }
        for resource in Set(candidates.map(\.subscription.resource)).subtracting(watched) {
            watched.insert(resource)
            group.addTask { [notifier, continuation] in
                var seen = await notifier.version(of: resource)
                while !Task.isCancelled {
                    await notifier.wait(for: resource, seen: seen, timeout: .seconds(300))
                    let now = await notifier.version(of: resource)
                    if now != seen {
                        seen = now
                        continuation.yield(.wake)
                    }
                }
            }
        }
        let now = clock.now()
        var earliest: Date?
        var due: [(since: Date, attempt: PushAttempt)] = []
        for candidate in candidates where !inFlight.contains(candidate.subscription.id) {
            var machine = PushStateMachine(state: candidate.state, configuration: configuration)
            let situation = PushStateMachine.Situation(
                cursor: candidate.subscription.cursor, head: candidate.head, active: candidate.subscription.status == .active,
                replay: candidate.replay)
            // Waiting longest first, so that subscriptions whose retries keep failing cannot keep
            // the slots from one that has not had its turn.
            let since = candidate.state.nextAttemptAt ?? candidate.state.lastAttemptAt ?? .distantPast
            switch machine.next(now: now, situation) {
            case .idle:
                continue
            case .wait(let until):
                earliest = min(earliest ?? until, until)
            case .send(let batch):
                if let back = machine.clockWentBack {
                    logger.warning(
                        "push retry was scheduled beyond the retry schedule; the wall clock went back, retrying now",
                        metadata: ["push.subscription": "\(candidate.subscription.id)", "push.clock-back-seconds": "\(Int(back))"])
                }
                let attempt = PushAttempt(
                    store: store, signer: signer, clock: clock, transport: transport, logger: logger, machine: machine, batch: batch,
                    subscriptionID: candidate.subscription.id, metrics: metrics, sealer: sealer)
                due.append((since, attempt))
            }
        }
        for (_, attempt) in due.sorted(by: { $0.since < $1.since }) {
            guard inFlight.count < max(1, configuration.concurrency) else { break }
            let id = attempt.subscriptionID
            inFlight.insert(id)
            group.addTask { [continuation] in
                await self.runWhileLeased(attempt)
                continuation.yield(.finished(id))
            }
        }
        return earliest
    }

    /// The subscriptions this node may deliver now: none when the store cannot be asked, since
    /// another node may then take them over.
    func claim(_ subscriptions: [String]) async -> Set<String> {
        let now = clock.now()
        do {
            let claimed = try await store.claimPushLeases(node: node, subscriptions: subscriptions, ttl: leaseTTL, now: now)
            let until = now.addingTimeInterval(leaseTTL.leaseSeconds)
            leaseExpiry.withLock { expiry in expiry = Dictionary(uniqueKeysWithValues: claimed.map { ($0, until) }) }
            return claimed
        } catch {
            // The leases already held stay until they expire; their attempts are cancelled then.
            logger.error("push dispatcher cannot renew its leases", metadata: ["error": "\(error)", "bus.node": "\(node)"])
            return []
        }
    }

    /// Runs `attempt`, cancelled when this node's lease on its subscription is about to lapse
    /// before the attempt ends: another node may take the subscription over from then on.
    func runWhileLeased(_ attempt: PushAttempt) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await attempt.run() }
            group.addTask { await self.waitUntilLeaseLapses(attempt.subscriptionID) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Returns a tenth of the lease time before this node's lease on `subscription` runs out.
    func waitUntilLeaseLapses(_ subscription: String) async {
        let margin = leaseTTL.leaseSeconds / 10
        while !Task.isCancelled {
            let left = (leaseExpiry.withLock { $0[subscription] }?.timeIntervalSince(clock.now()) ?? 0) - margin
            if left <= 0 {
                logger.warning(
                    "push attempt cancelled: this node's lease on the subscription is running out",
                    metadata: ["push.subscription": "\(subscription)", "bus.node": "\(node)"])
                return
            }
            try? await Task.sleep(for: .milliseconds(Int64(min(left, 1) * 1000) + 1))
        }
    }
}
