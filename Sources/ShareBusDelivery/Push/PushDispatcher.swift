import Foundation
public import Logging
public import ServiceLifecycle
public import ShareBusCore
public import ShareBusCrypto
public import ShareBusStore

/// Push delivery for every push subscription at once, with at most `concurrency` POSTs in flight
/// and at most one per subscription (which keeps each subscription's batches in order).
///
/// The decisions are `PushStateMachine`'s; this loop only finds work, starts attempts and sleeps.
/// It looks at the store when an envelope lands on a watched resource, when an attempt ends, when
/// `wake()` is called (operator actions), when the earliest retry falls due, and at least every
/// `scanInterval`. Everything it knows is in the store, so a restart resumes where it stopped.
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
    private let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation

    enum Event: Sendable {
        case wake
        case finished(String)
    }

    public init(
        store: any ShareBusStore, signer: BusSigner, clock: any BusClock, notifier: LogNotifier, configuration: DeliveryConfiguration,
        credential: PushCredential, resolver: any WebhookResolver = SystemResolver(), logger: Logger, metrics: BusMetrics = .disabled
    ) {
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
        logger.info("push delivery started", metadata: ["push.concurrency": "\(configuration.concurrency)"])
        await cancelWhenGracefulShutdown { await self.run(transport: client) }
        await client.shutdown()
    }

    /// Delivers until cancelled. Attempts in flight when it stops are abandoned unrecorded, so
    /// they are made again when it next runs.
    public func run(transport: any PushTransport) async {
        var iterator = events.makeAsyncIterator()
        await withDiscardingTaskGroup { group in
            var inFlight: Set<String> = []
            var watched: Set<String> = []
            while !Task.isCancelled {
                let due = await scan(transport: transport, inFlight: &inFlight, watched: &watched, group: &group)
                var delay = configuration.scanInterval
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
        transport: any PushTransport, inFlight: inout Set<String>, watched: inout Set<String>, group: inout DiscardingTaskGroup
    ) async -> Date? {
        let candidates: [PushCandidate]
        do {
            candidates = try await store.pushCandidates()
        } catch {
            logger.error("push dispatcher cannot read the store", metadata: ["error": "\(error)"])
            return nil
        }
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
                let attempt = PushAttempt(
                    store: store, signer: signer, clock: clock, transport: transport, logger: logger, machine: machine, batch: batch,
                    subscriptionID: candidate.subscription.id, metrics: metrics)
                due.append((since, attempt))
            }
        }
        for (_, attempt) in due.sorted(by: { $0.since < $1.since }) {
            guard inFlight.count < max(1, configuration.concurrency) else { break }
            let id = attempt.subscriptionID
            inFlight.insert(id)
            group.addTask { [continuation] in
                await attempt.run()
                continuation.yield(.finished(id))
            }
        }
        return earliest
    }
}
