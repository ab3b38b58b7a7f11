import Foundation
import ShareBusCore
import ShareBusTesting
import Testing

@Suite("Prometheus metrics of push delivery")
struct MetricsPushTests {
    @Test("pushes acknowledged, failed and dead-lettered move the push series; the queue gauge shows the dead letter")
    func pushSeries() async throws {
        try await PushBus.run(delivery: PushBus.configuration(attempts: 1)) { bus in
            let good = try await PushReceiver.start(pki: bus.pki, mode: .ok)
            let broken = try await PushReceiver.start(pki: bus.pki, mode: .status(503))
            defer {
                Task {
                    await good.stop()
                    await broken.stop()
                }
            }
            let world = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            let civil = try await bus.department(Exchange.civil)
            let taxID = try await PushBus.activeSubscription(tax, url: good.url)

            try await world.push((1...3).map { EnvelopeBuilder.upsert(Exchange.record($0)) })
            try await PushBus.eventually("the three messages are acknowledged") {
                try await PushBus.queue(world.ops, taxID)?["cursor"] == .integer(3)
            }
            let delivered = try await Self.scrape(world.ops)
            #expect(delivered.value("sharebus_delivery_attempts_total", ["mode": "push"]) == 1, "\(delivered)")
            #expect(delivered.value("sharebus_delivery_failures_total", ["mode": "push"]) == 0)
            #expect(delivered.value("sharebus_delivery_latency_seconds_count", ["mode": "push"]) == 3)
            #expect(delivered.value("sharebus_queue_depth", ["subscription": taxID, "mode": "push"]) == 0)

            // One attempt allowed: the webhook's 503 dead-letters the batch at once.
            let civilID = try await PushBus.activeSubscription(civil, url: broken.url)
            try await PushBus.eventually("the dead letter is filed") {
                try await PushBus.queue(world.ops, civilID)?["deadLetters"] == .integer(1)
            }
            let failed = try await Self.scrape(world.ops)
            #expect(failed.value("sharebus_delivery_attempts_total", ["mode": "push"]) == 2, "\(failed)")
            #expect(failed.value("sharebus_delivery_failures_total", ["mode": "push"]) == 1)
            #expect(failed.value("sharebus_dead_letters_total", ["mode": "push"]) == 1)
            #expect(failed.value("sharebus_delivery_latency_seconds_count", ["mode": "push"]) == 3, "a failure is no delivery")
            #expect(failed.value("sharebus_queue_dead_letters", ["subscription": civilID, "consumer": "yc.civil"]) == 1)
        }
    }

    /// `GET /metrics` over mutual TLS, as an operator.
    static func scrape(_ ops: TestClient, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Scrape {
        let reply = try await ops.get("/metrics")
        #expect(reply.status == 200, "scrape: \(reply.text)", sourceLocation: sourceLocation)
        return Scrape(reply.text)
    }
}
