public import Foundation
public import Logging
public import ShareBusCore
public import ShareBusCrypto
public import ShareBusStore
public import ShareBusDelivery
public import ShareBusVerification
public import Prometheus

/// Everything a route needs, built once at start-up and passed down.
public struct BusEnvironment: Sendable {
    public var configuration: ServerConfiguration
    public var store: any ShareBusStore
    public var clock: any BusClock
    public var pki: PublishedPKI
    public var logger: Logger
    /// Signs receipts, deliveries and checkpoints.
    public var signer: BusSigner
    public var notifier: LogNotifier
    /// Working days for approval deadlines.
    public var calendar: WorkingDayCalendar
    public let ingest: EnvelopeIngest
    /// Once-only verification. Built once: it holds the process's rate limiter and comparison key.
    public let verification: VerificationService
    /// Keys the data-subject digests of the audit log (`Certs/bus/subject-key`, read by `serve`).
    public let subjectKey: SubjectKey
    /// Seals L3/L4 values at rest and opens them for delivery (`Certs/bus/data-keys`, read by `serve`).
    public let sealer: RecordSealer
    /// This bus's own metrics registry (never the process-global one), exported on `/metrics`.
    public let metricsRegistry: PrometheusCollectorRegistry
    /// Records into `metricsRegistry`.
    public let metrics: BusMetrics
    let metricsExporter: MetricsExporter
    /// How push delivery behaves: attempts, age, concurrency, the webhook allow-list.
    public let delivery: DeliveryConfiguration
    /// Pushes deliveries to webhooks; nil when the bus has no client credential to present.
    public let push: PushDispatcher?
    /// Carried by the dashboard's forms: a page of another site cannot know it. New at each start.
    let dashboardToken = DashboardForm.makeToken()

    public init(
        configuration: ServerConfiguration, store: any ShareBusStore, clock: any BusClock, pki: PublishedPKI, signer: BusSigner,
        calendar: WorkingDayCalendar = .china, logger: Logger, metricsRegistry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        subjectKey: SubjectKey? = nil, verificationConfiguration: VerificationConfiguration = VerificationConfiguration(),
        delivery: DeliveryConfiguration = DeliveryConfiguration(), pushCredential: PushCredential? = nil,
        dataKeys: DataKeyring? = nil, logChanges: AsyncStream<(resource: String, head: Int64)>? = nil
    ) {
        // No keyring given (tests): one for this process only, so what it seals is readable only by it.
        let sealer = RecordSealer(keyring: dataKeys ?? .random())
        self.sealer = sealer
        self.configuration = configuration
        self.delivery = delivery
        self.store = store
        self.clock = clock
        self.pki = pki
        self.signer = signer
        self.calendar = calendar
        self.logger = logger
        self.metricsRegistry = metricsRegistry
        let metrics = BusMetrics(factory: BusMetricsFactory(registry: metricsRegistry))
        self.metrics = metrics
        metricsExporter = MetricsExporter(registry: metricsRegistry)
        let notifier = LogNotifier()
        self.notifier = notifier
        // Log heads committed by every node sharing the store (PostgreSQL LISTEN/NOTIFY): an envelope
        // accepted on another node wakes this node's long-polls and push deliveries too.
        if let logChanges {
            Task { for await change in logChanges { await notifier.notify(change.resource) } }
        }
        push = pushCredential.map {
            PushDispatcher(
                store: store, signer: signer, clock: clock, notifier: notifier, configuration: delivery, credential: $0,
                logger: logger, metrics: metrics, sealer: sealer)
        }
        var ingestConfiguration = EnvelopeIngest.Configuration()
        ingestConfiguration.maxBodySize = configuration.maxBodySize
        ingest = EnvelopeIngest(store: store, signer: signer, notifier: notifier, clock: clock, configuration: ingestConfiguration, metrics: metrics,
            sealer: sealer)
        // No key given (tests): one for this process only, so its access logs end with it.
        let subjectKey = subjectKey ?? SubjectKey.random()
        self.subjectKey = subjectKey
        verification = VerificationService(
            store: store, holders: (store as? any HolderRecordStore) ?? UnsupportedHolderRecords(),
            subscriptions: SubscriptionService(store: store, clock: clock, calendar: calendar), signer: signer, clock: clock,
            subjectKey: subjectKey, configuration: verificationConfiguration, sealer: sealer)
    }

    public var catalog: CatalogService { CatalogService(store: store, clock: clock) }
    public var subscriptions: SubscriptionService {
        SubscriptionService(store: store, clock: clock, calendar: calendar, webhooks: WebhookGuard(policy: delivery.webhookPolicy))
    }
    public var operations: OperationsService { OperationsService(store: store, clock: clock, wake: { [push] in push?.wake() }) }
    public var pull: PullService {
        PullService(store: store, subscriptions: subscriptions, notifier: notifier, signer: signer, clock: clock, metrics: metrics,
            subject: { [verification] in verification.subject(of: $0, key: $1, record: $2) }, sealer: sealer)
    }
}
