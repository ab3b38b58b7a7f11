import Foundation
import ShareBusCore
import ShareBusTesting
import Testing

/// The webhook URL is checked when the subscription is made (and again before every connection).
@Suite("Push webhook URLs")
struct PushWebhookURLTests {
    @Test(
        "SSRF attempts are refused at subscribe time with 422 invalid-webhook-url, and nothing is stored",
        arguments: [
            "http://hooks.example.gov.cn/sharebus", "https://169.254.169.254/latest/meta-data/", "https://10.0.0.1/hook",
            "https://localhost/hook", "https://127.0.0.1:8443/hook", "https://[::1]/hook", "https://192.168.1.20/hook",
            "https://metadata.google.internal/", "https://2130706433/hook",
        ])
    func refused(url: String) async throws {
        try await TestBus.run { bus in
            _ = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            let before = try await Exchange.Snapshot.take(bus)
            let reply = try await PushBus.subscribe(tax, url: url)
            #expect(reply.status == 422, "\(url): \(reply.text)")
            #expect(reply.problemCode == "invalid-webhook-url", "\(url)")
            #expect(reply.header("content-type") == "application/problem+json")
            #expect(reply.json?["type"]?.stringValue == "urn:sharebus:problem:invalid-webhook-url")
            #expect(try await Exchange.Snapshot.take(bus) == before, "a refused request changes nothing")
            #expect(try await tax.get("/v1/subscriptions").json?["subscriptions"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test("an address on the operator's allow-list is accepted")
    func allowListed() async throws {
        try await PushBus.run(delivery: PushBus.configuration(allow: ["127.0.0.1", "hooks.corp.internal"])) { bus in
            _ = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            for url in ["https://127.0.0.1:9443/hook", "https://hooks.corp.internal/hook"] {
                let reply = try await PushBus.subscribe(tax, url: url)
                #expect(reply.status == 201, "\(url): \(reply.text)")
                #expect(reply.json?["delivery"]?["url"]?.stringValue == url)
            }
            // What the list does not name is still refused.
            #expect(try await PushBus.subscribe(tax, url: "https://10.0.0.1/hook").problemCode == "invalid-webhook-url")
        }
    }

    @Test("a webhook refused at connection time fails the attempt, and no request is made")
    func refusedBeforeConnecting() async throws {
        // The allow-list names the host at subscribe time; a second bus without it refuses to connect.
        let pki = try TestPKI()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sharebus-push-ssrf-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let receiver = try await PushReceiver.start(pki: pki)
        defer { Task { await receiver.stop() } }
        let id = try await PushBus.run(pki: pki, directory: directory) { bus in
            let world = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            #expect(try await bus.operator("ops2").post("/v1/ops/subscriptions/none/pause").status == 404)
            let id = try await PushBus.activeSubscription(tax, url: receiver.url)
            #expect(try await world.ops.post("/v1/ops/subscriptions/\(id)/pause").status == 200)
            try await world.push([EnvelopeBuilder.upsert(Exchange.record(1))])
            return id
        }
        try await PushBus.run(pki: pki, directory: directory, delivery: PushBus.configuration(allow: [])) { bus in
            let ops = try await bus.operator("ops3")
            #expect(try await ops.post("/v1/ops/subscriptions/\(id)/resume").status == 200)
            try await PushBus.eventually("the refusal is recorded") { try await bus.store.deliveryState(subscription: id)?.batch?.attempts == 1 }
            let error = try await bus.store.deliveryState(subscription: id)?.lastError ?? ""
            #expect(error.contains("refused before connecting") && error.contains("loopback"), "\(error)")
            #expect(receiver.received.isEmpty)
        }
    }
}
