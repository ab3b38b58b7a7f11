import Foundation
import Logging
import ShareBusCore
import ShareBusCrypto
import ShareBusDelivery
import ShareBusHTTP
import ShareBusPostgres
import ShareBusStore
import ShareBusTesting
import Testing

/// Two bus nodes on one database: an envelope accepted by one wakes the other's long-polls.
@Suite("PostgreSQL store: nodes wake each other")
struct PostgresWakeTests {
    @Test("an accept on node A moves node B's log notifier for that resource, and only that one")
    func acceptOnOneNodeWakesTheOther() async throws {
        let url = try await PostgresCluster.shared().makeDatabase()
        let nodeA = try await PostgresStore.open(url: url)
        let nodeB = try await PostgresStore.open(url: url)
        let pki = try TestPKI()
        var logger = Logger(label: "sharebus.test")
        logger.logLevel = .critical
        let environment = BusEnvironment(
            configuration: ServerConfiguration(), store: nodeB, clock: SystemClock(),
            pki: PublishedPKI(ca: pki.ca, busSigningCertificatePEM: pki.busSigning.certificatePEM),
            signer: try BusSigner(certificatePEM: pki.busSigning.certificatePEM, privateKeyPEM: pki.busSigning.privateKeyPEM), logger: logger,
            logChanges: nodeB.logChanges())
        let deadline = ContinuousClock.now + .seconds(10)
        while !nodeB.isListening && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let notifier = environment.notifier
        let seen = await notifier.version(of: "r.a")
        let otherSeen = await notifier.version(of: "r.b")
        let waiter = Task { () -> Duration in
            let clock = ContinuousClock()
            let started = clock.now
            await notifier.wait(for: "r.a", seen: seen, timeout: .seconds(10))
            return clock.now - started
        }
        try await Task.sleep(for: .milliseconds(100))
        try await Fixture.accept(Fixture.envelope("w1"), in: nodeA)
        let waited = await waiter.value
        #expect(waited < .seconds(5), "woken by node A's accept, not by the long-poll's timeout")
        #expect(await notifier.version(of: "r.a") != seen)
        #expect(await notifier.version(of: "r.b") == otherSeen)
        await nodeA.close()
        await nodeB.close()
    }
}
