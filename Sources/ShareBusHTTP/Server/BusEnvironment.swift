public import Foundation
public import Logging
public import ShareBusCore
public import ShareBusCrypto
public import ShareBusStore
public import ShareBusDelivery

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

    public init(
        configuration: ServerConfiguration, store: any ShareBusStore, clock: any BusClock, pki: PublishedPKI, signer: BusSigner,
        calendar: WorkingDayCalendar = .china, logger: Logger
    ) {
        self.configuration = configuration
        self.store = store
        self.clock = clock
        self.pki = pki
        self.signer = signer
        self.calendar = calendar
        self.logger = logger
        let notifier = LogNotifier()
        self.notifier = notifier
        var ingestConfiguration = EnvelopeIngest.Configuration()
        ingestConfiguration.maxBodySize = configuration.maxBodySize
        ingest = EnvelopeIngest(store: store, signer: signer, notifier: notifier, clock: clock, configuration: ingestConfiguration)
    }

    public var catalog: CatalogService { CatalogService(store: store, clock: clock) }
    public var subscriptions: SubscriptionService { SubscriptionService(store: store, clock: clock, calendar: calendar) }
    public var pull: PullService {
        PullService(store: store, subscriptions: subscriptions, notifier: notifier, signer: signer, clock: clock)
    }
}
