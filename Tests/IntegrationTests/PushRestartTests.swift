import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore
import ShareBusTesting
import Testing

/// Pending retries live in the store: a bus stopped mid-retry and started again on the same
/// SQLite folder or PostgreSQL database resumes the same batch, then the rest, nothing lost and
/// nothing skipped.
@Suite("Push across a restart")
struct PushRestartOnBothStores {
    @Test("a restart mid-retry loses nothing and skips nothing", arguments: TestStore.allCases)
    func restartMidRetry(store: TestStore) async throws {
        let pki = try TestPKI()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sharebus-push-restart-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let receiver = try await PushReceiver.start(pki: pki, mode: .status(503))
        defer { Task { await receiver.stop() } }
        // A 3 s first retry: the bus is stopped while it waits.
        let delivery = PushBus.configuration(batchSize: 2, initialBackoff: 3)
        let provider = try pki.department(Fixture.psb.id, name: Fixture.psb.name)

        let id = try await PushBus.run(store: store, pki: pki, directory: directory, delivery: delivery) { bus in
            let steward = try await bus.department(Fixture.steward)
            try await bus.store.createDepartment(
                Fixture.psb, audit: AuditEvent(at: Date(), actor: "system:test", action: "department.create", target: Fixture.psb.id))
            try await TestPKI.record(provider, in: bus.store)
            try await Exchange.publish(Exchange.resource(), by: steward)
            let tax = try await bus.department(Fixture.tax)
            let id = try await PushBus.activeSubscription(tax, url: receiver.url)
            let psb = try TestClient(bus: bus, credential: provider)
            let builder = try EnvelopeBuilder(credential: provider)
            let reply = try await psb.push(
                try builder.envelope(
                    id: UUID(), sender: Fixture.psb.id, resource: Exchange.code, createdAt: Date(),
                    operations: [EnvelopeBuilder.upsert(Exchange.record(1)), EnvelopeBuilder.upsert(Exchange.record(2))]))
            #expect(reply.status == 201)
            try await PushBus.eventually("the first failure is recorded") {
                try await bus.store.deliveryState(subscription: id)?.batch?.attempts == 1
            }
            return id
        }

        // Stopped. What the store holds is where delivery resumes.
        let stored = try #require(try await store.withStore(in: directory) { try await $0.deliveryState(subscription: id) })
        #expect(stored.batch?.first == 1 && stored.batch?.last == 2 && stored.batch?.attempts == 1)
        #expect(stored.lastError == "HTTP 503")
        #expect(stored.nextAttemptAt != nil)
        #expect(receiver.received.count == 1, "no retry before the stop")
        receiver.set(.ok)

        try await PushBus.run(store: store, pki: pki, directory: directory, delivery: delivery) { bus in
            let psb = try TestClient(bus: bus, credential: provider)
            let builder = try EnvelopeBuilder(credential: provider)
            let reply = try await psb.push(
                try builder.envelope(
                    id: UUID(), sender: Fixture.psb.id, resource: Exchange.code, createdAt: Date(),
                    operations: [EnvelopeBuilder.upsert(Exchange.record(3))]))
            #expect(reply.status == 201)
            _ = try await receiver.waitFor(3)
            try await PushBus.eventually("the cursor reached 3") { try await bus.store.subscription(id: id)?.cursor == 3 }
            let batches = try PushBus.batches(receiver, bus: bus)
            #expect(batches == [[1, 2], [1, 2], [3]], "the same batch again, then the next: \(batches)")
            let (first, retried) = (receiver.received[0].at, receiver.received[1].at)
            #expect(retried - first >= .milliseconds(2900), "the retry kept its schedule across the restart: \(retried - first)")
            let state = try await bus.store.deliveryState(subscription: id)
            #expect(state?.batch == nil && state?.consecutiveFailures == 0 && state?.lastError == nil)
        }
    }
}
