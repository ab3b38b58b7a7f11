public import Foundation
public import Logging
public import ShareBusCore
public import ShareBusCrypto
public import ShareBusStore

/// Everything a route needs, built once at start-up and passed down.
public struct BusEnvironment: Sendable {
    public var configuration: ServerConfiguration
    public var store: any ShareBusStore
    public var clock: any BusClock
    public var pki: PublishedPKI
    public var logger: Logger

    public init(
        configuration: ServerConfiguration, store: any ShareBusStore, clock: any BusClock, pki: PublishedPKI, logger: Logger
    ) {
        self.configuration = configuration
        self.store = store
        self.clock = clock
        self.pki = pki
        self.logger = logger
    }

    public var catalog: CatalogService { CatalogService(store: store, clock: clock) }
}
