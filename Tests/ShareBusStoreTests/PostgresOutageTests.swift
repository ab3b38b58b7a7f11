import Foundation
import ShareBusCore
import ShareBusPostgres
import ShareBusStore
import ShareBusTesting
import Testing

/// The database going away under a running store: quick 503s instead of hanging, readiness that
/// follows the database, and recovery without a restart. A cluster of its own, as it is stopped.
@Suite("PostgreSQL store: database outage")
struct PostgresOutageTests {
    @Test("a stopped database answers storage-unavailable within the time limit; the store recovers by itself")
    func outageAndRecovery() async throws {
        let cluster = try PostgresCluster.start()
        defer { cluster.stop() }
        var configuration = PostgresStoreConfiguration()
        configuration.operationTimeout = .seconds(3)
        let store = try await PostgresStore.open(try PostgresLocation(url: try cluster.makeDatabase()), configuration: configuration)
        defer { Task { await store.close() } }
        try await Fixture.accept(Fixture.envelope("before"), in: store)
        #expect(await store.isReady)

        try cluster.stopServer()
        let clock = ContinuousClock()
        let started = clock.now
        let error = await #expect(throws: ShareBusError.self) { try await Fixture.accept(Fixture.envelope("during"), in: store) }
        #expect(error?.code == .storageUnavailable)
        #expect(clock.now - started < .seconds(5), "answered within the operation time limit, not hanging")
        let read = await #expect(throws: ShareBusError.self) { _ = try await store.head(resource: "r.a") }
        #expect(read?.code == .storageUnavailable)
        #expect(await !store.isReady)

        try cluster.startServer()
        let deadline = clock.now + .seconds(30)
        while await !store.isReady, clock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
        #expect(await store.isReady, "ready again without a restart")
        #expect(try await Fixture.accept(Fixture.envelope("after"), in: store).acceptedPayload?.firstSequence == 2)
        try await Fixture.verifiedChain(store)
        await store.close()
    }
}
