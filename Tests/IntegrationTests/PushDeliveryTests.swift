import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import Testing
import X509

/// Push delivery (protocol section 6) to a webhook under test control, over real mutual TLS.
@Suite("Push delivery")
struct PushDeliveryOnBothStores {
    @Test(
        "a push subscription receives its batches in order, bus-signed, with only granted fields, from the bus client certificate",
        arguments: TestStore.allCases)
    func deliversInOrder(store: TestStore) async throws {
        try await PushBus.run(store: store, delivery: PushBus.configuration(batchSize: 2)) { bus in
            let receiver = try await PushReceiver.start(pki: bus.pki)
            defer { Task { await receiver.stop() } }
            let world = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            try await world.push([EnvelopeBuilder.upsert(Exchange.record(1)), EnvelopeBuilder.upsert(Exchange.record(2))])
            try await world.push([EnvelopeBuilder.upsert(Exchange.record(3)), EnvelopeBuilder.delete(Exchange.citizenID(1))])
            let id = try await PushBus.activeSubscription(tax, url: receiver.url, fields: ["name"])
            try await world.push([EnvelopeBuilder.upsert(Exchange.record(4, name: Exchange.distinctiveName))])

            try await PushBus.eventually("all five messages arrived") { try PushBus.batches(receiver, bus: bus).flatMap { $0 }.count >= 5 }
            let batches = try PushBus.batches(receiver, bus: bus)
            #expect(batches.flatMap { $0 } == [1, 2, 3, 4, 5], "each message once, in log order: \(batches)")
            #expect(batches.allSatisfy { $0.count <= 2 }, "at most batchSize messages a batch: \(batches)")
            for received in receiver.received {
                #expect(received.path == "/hook")
                let payload = try PushBus.delivery(received, bus: bus)
                #expect(payload["subscription"]?.stringValue == id)
                #expect(payload["resource"]?.stringValue == Exchange.code)
                #expect(payload["nextCursor"] == Exchange.messages(payload).last?["sequence"])
                for message in Exchange.messages(payload) {
                    if case .object(let record) = message["record"] {
                        #expect(Set(record.keys) == ["idNumber", "name"], "only the granted field and the key: \(record.keys)")
                    } else {
                        #expect(message["op"]?.stringValue == "delete")
                    }
                }
                // The bus presented its own client certificate, made for TLS client authentication.
                let certificate = try #require(received.clientCertificate)
                #expect(certificate == bus.pki.busClient.certificate)
                #expect(certificate.sanURIs.contains(CertificateProfile.busURI))
                #expect(certificate.hasExtendedKeyUsage(.clientAuth))
            }
            let last = try PushBus.delivery(try #require(receiver.received.last), bus: bus)
            #expect(Exchange.messages(last).last?["record"]?["name"]?.stringValue == Exchange.distinctiveName)

            try await PushBus.eventually("the cursor reached 5") { try await bus.store.subscription(id: id)?.cursor == 5 }
            let acks = try await Exchange.audit(world.ops, action: "subscription.push-ack")
            #expect(acks.count == batches.count)
            #expect(acks.allSatisfy { $0["actor"]?.stringValue == "system:push" && $0["target"]?.stringValue == id })
            let everything = try await Exchange.audit(world.ops)
            #expect(!everything.contains { "\($0)".contains(Exchange.distinctiveName) }, "no record value in the audit log")

            let queue = try await PushBus.queue(world.ops, id)
            #expect(queue?["mode"]?.stringValue == "push")
            #expect(queue?["depth"] == .integer(0))
            #expect(queue?["consecutiveFailures"] == .integer(0))
            #expect(queue?["lastDeliveryAt"]?.stringValue != nil)
            #expect(queue?["oldestUnackedAgeSeconds"] == .null)
            #expect((queue?["deliveryRatePerMinute"]?.doubleValue ?? 0) > 0)
        }
    }

    @Test("many subscriptions are served at once, never more than `concurrency` deliveries in flight", arguments: TestStore.allCases)
    func boundedConcurrency(store: TestStore) async throws {
        var delivery = PushBus.configuration()
        delivery.concurrency = 2
        try await PushBus.run(store: store, delivery: delivery) { bus in
            // Every request hangs until the bus gives up on it (1 s): what is in flight stays visible. The
            // first two keep failing and retrying; the last subscriptions still get a slot within seconds.
            let receiver = try await PushReceiver.start(pki: bus.pki, mode: .hang)
            defer { Task { await receiver.stop() } }
            let world = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            var ids: Set<String> = []
            for _ in 0..<5 { ids.insert(try await PushBus.activeSubscription(tax, url: receiver.url)) }
            try await world.push([EnvelopeBuilder.upsert(Exchange.record(1))])
            _ = try await receiver.waitFor(2)
            try await Task.sleep(for: .milliseconds(500))
            #expect(receiver.received.count == 2, "two in flight, three waiting")
            try await PushBus.eventually("every subscription got its turn", timeout: .seconds(8)) {
                Set(try receiver.received.map { try PushBus.delivery($0, bus: bus)["subscription"]?.stringValue ?? "" }) == ids
            }
            let starts = receiver.received.map(\.at)
            #expect(starts[2] - starts[0] >= .milliseconds(500), "the third waited for a slot: \(starts[2] - starts[0])")
            // Never more than two open at once: each request hangs until the bus gives up after 1 s, so any three
            // starts span most of that (less what a slow handshake took before the receiver saw the request).
            for index in 2..<starts.count {
                #expect(starts[index] - starts[index - 2] >= .milliseconds(500), "three in flight at request \(index)")
            }
        }
    }

    @Test("a new subscription with start now gets only what comes after, and nothing is sent while caught up", arguments: TestStore.allCases)
    func startsNow(store: TestStore) async throws {
        try await PushBus.run(store: store) { bus in
            let receiver = try await PushReceiver.start(pki: bus.pki)
            defer { Task { await receiver.stop() } }
            let world = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            try await world.push([EnvelopeBuilder.upsert(Exchange.record(1))])
            let reply = try await tax.post(
                "/v1/subscriptions",
                json: .object([
                    "resource": .string(Exchange.code), "fields": .array([.string("name")]), "permissions": .array([.string("push")]),
                    "purpose": .string("依法履职核验"), "start": .string("now"),
                    "delivery": .object(["mode": .string("push"), "url": .string(receiver.url)]),
                ]))
            #expect(reply.status == 201, "\(reply.text)")
            try await Task.sleep(for: .milliseconds(300))
            #expect(receiver.received.isEmpty)
            try await world.push([EnvelopeBuilder.upsert(Exchange.record(2))])
            _ = try await receiver.waitFor(1)
            #expect(try PushBus.batches(receiver, bus: bus) == [[2]])
        }
    }
}
