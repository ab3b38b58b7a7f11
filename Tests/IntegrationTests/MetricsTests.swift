import Foundation
import Logging
import ShareBusCore
import ShareBusCrypto
import ShareBusStore
import ShareBusTesting
import Testing

@testable import ShareBusHTTP

@Suite("Prometheus metrics")
struct MetricsTests {
    @Test("envelopes, operations, pulls, latency, queue gauges and TLS failures move by exactly what happened")
    func countersMove() async throws {
        try await TestBus.run { bus in
            let world = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            let taxID = try await Exchange.activeSubscription(tax, fields: ["name"])

            // A fresh bus starts from zero: its registry is its own, whatever else runs in this process.
            let start = try await Scrape.take(bus)
            #expect(start.value("sharebus_envelopes_total", ["result": "accepted"]) == 0, "\(start)")
            #expect(start.value("sharebus_operations_total") == 0)
            #expect(start.value("sharebus_delivery_attempts_total", ["mode": "pull"]) == 0)
            #expect(start.value("sharebus_delivery_attempts_total", ["mode": "push"]) == 0)
            #expect(start.value("sharebus_tls_handshake_failures_total", ["reason": "invalid"]) == 0)
            #expect(start.text.contains("# HELP sharebus_envelopes_total "), "help lines come from the metric table")
            #expect(start.text.contains("# TYPE sharebus_envelopes_total counter"))

            // Two envelopes (3 and 2 operations), one resent, two refused.
            let first = try world.envelope((1...3).map { EnvelopeBuilder.upsert(Exchange.record($0)) })
            #expect(try await world.provider.push(first).status == 201)
            try await world.push((4...5).map { EnvelopeBuilder.upsert(Exchange.record($0)) })
            #expect(try await world.provider.push(first).status == 200, "the same envelope again answers its receipt")
            let stale = try world.envelope(createdAt: Date(timeIntervalSinceNow: -3600), [EnvelopeBuilder.upsert(Exchange.record(6))])
            let skewed = try await world.provider.push(stale)
            #expect(skewed.problemCode == "clock-skew")
            let wrongType = try await world.provider.request(.POST, "/v1/envelopes", body: first, contentType: "application/json")
            #expect(wrongType.problemCode == "unsupported-media-type")

            // One pull of all five messages, one pull of a subscription that does not exist.
            let payload = try await Exchange.pull(tax, taxID, bus: bus)
            #expect(Exchange.sequences(payload) == [1, 2, 3, 4, 5])
            #expect(try await tax.get("/v1/subscriptions/no-such-subscription/messages").status == 404)

            // A client certificate of another CA is refused in the handshake.
            let foreign = try TestPKI().department("yc.tax")
            await expectRefused(try TestClient(bus: bus, credential: foreign))

            let after = try await Scrape.take(bus)
            #expect(after.value("sharebus_envelopes_total", ["result": "accepted"]) == 2, "\(after)")
            #expect(after.value("sharebus_envelopes_total", ["result": "duplicate"]) == 1)
            #expect(after.value("sharebus_envelopes_total", ["result": "clock-skew"]) == 1)
            #expect(after.value("sharebus_envelopes_total", ["result": "unsupported-media-type"]) == 1)
            #expect(after.value("sharebus_operations_total") == 5)
            #expect(after.value("sharebus_delivery_attempts_total", ["mode": "pull"]) == 2)
            #expect(after.value("sharebus_delivery_failures_total", ["mode": "pull"]) == 1)
            #expect(after.value("sharebus_delivery_latency_seconds_count", ["mode": "pull"]) == 5, "one observation per message delivered")
            let latencySum = try #require(after.value("sharebus_delivery_latency_seconds_sum", ["mode": "pull"]))
            #expect(latencySum >= 0 && latencySum < 5 * 60, "accepted moments ago: \(latencySum) s in all")
            #expect(after.value("sharebus_delivery_latency_seconds_bucket", ["mode": "pull", "le": "+Inf"]) == 5)
            #expect(after.value("sharebus_tls_handshake_failures_total", ["reason": "invalid"]) == 1)
            #expect(after.value("sharebus_http_requests_total", ["method": "POST", "route": "/v1/envelopes", "status": "201"]) == 2)

            // Queue gauges are read at scrape time: five waiting until acknowledged, then none.
            #expect(after.value("sharebus_queue_depth", ["subscription": taxID, "consumer": "yc.tax", "mode": "pull"]) == 5)
            #expect((after.value("sharebus_queue_oldest_unacked_age_seconds", ["subscription": taxID]) ?? -1) >= 0)
            #expect(after.value("sharebus_queue_paused", ["subscription": taxID]) == 0)
            #expect(try await Exchange.ack(tax, taxID, 5).status == 200)
            #expect(try await world.ops.post("/v1/ops/subscriptions/\(taxID)/pause").status == 200)
            let acknowledged = try await Scrape.take(bus)
            #expect(acknowledged.value("sharebus_queue_depth", ["subscription": taxID]) == 0, "\(acknowledged)")
            #expect(acknowledged.value("sharebus_queue_oldest_unacked_age_seconds", ["subscription": taxID]) == 0)
            #expect(acknowledged.value("sharebus_queue_paused", ["subscription": taxID]) == 1)

            // A revoked certificate is refused in the handshake too, with its own reason.
            let civil = try await bus.department(Exchange.civil)
            let serial = try #require(civil.credential).certificate.serialHex
            _ = try await bus.store.revokeCertificate(
                serial: serial, reason: "key compromise",
                audit: AuditEvent(at: Date(), actor: "system:test", action: "certificate.revoke", target: serial))
            await expectRefused(try TestClient(bus: bus, credential: civil.credential))
            let revoked = try await Scrape.take(bus)
            #expect(revoked.value("sharebus_tls_handshake_failures_total", ["reason": "revoked"]) == 1, "\(revoked)")
            #expect(revoked.value("sharebus_tls_handshake_failures_total", ["reason": "invalid"]) == 1)
        }
    }

    @Test("two buses in one process keep their own counts")
    func busesDoNotShare() async throws {
        try await TestBus.run { one in
            try await TestBus.run { two in
                let world = try await Exchange.world(one)
                try await world.push([EnvelopeBuilder.upsert(Exchange.record(1))])
                #expect(try await Scrape.take(one).value("sharebus_envelopes_total", ["result": "accepted"]) == 1)
                #expect(try await Scrape.take(two).value("sharebus_envelopes_total", ["result": "accepted"]) == 0)
            }
        }
    }

    @Test("/metrics: open on the local listener, operators only on the mutual-TLS one; probes on both")
    func access() async throws {
        try await TestBus.run { bus in
            let ops = try await bus.operator("ops")
            let tax = try await bus.department(Fixture.tax)
            let local = try await LocalHTTP.get(bus.localURL + "/metrics")
            #expect(local.status == 200)
            #expect(local.header("content-type") == "text/plain; version=0.0.4; charset=utf-8")
            let secure = try await ops.get("/metrics")
            #expect(secure.status == 200)
            #expect(secure.text.contains("sharebus_envelopes_total"))
            let refused = try await tax.get("/metrics")
            #expect(refused.status == 403)
            #expect(refused.problemCode == "forbidden")
            for path in ["/healthz", "/readyz"] {
                #expect(try await LocalHTTP.get(bus.localURL + path).status == 200, "\(path)")
            }
            // The local listener serves nothing else of the API.
            #expect(try await LocalHTTP.get(bus.localURL + "/v1/departments").status == 404)
        }
    }

    @Test("every route of the local listener is in the OpenAPI document")
    func documented() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-openapi-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pki = try TestPKI()
        var configuration = ServerConfiguration()
        configuration.dashboardOnLocalListener = true
        let env = BusEnvironment(
            configuration: configuration, store: try SQLiteStore(directory: directory), clock: SystemClock(),
            pki: PublishedPKI(ca: pki.ca, busSigningCertificatePEM: pki.busSigning.certificatePEM),
            signer: try BusSigner(certificatePEM: pki.busSigning.certificatePEM, privateKeyPEM: pki.busSigning.privateKeyPEM),
            logger: Logger(label: "test"))
        let (_, registry) = LocalListener.makeRouter(env)
        let document = try StrictJSON.parse(Array(try Data(contentsOf: repositoryRoot.appendingPathComponent("docs/openapi.json"))))
        let paths = try #require(document["paths"]?.objectValue)
        #expect(registry.routes.contains { $0.path == "/metrics" })
        #expect(registry.routes.contains { $0.path == "/ui/" })
        for route in registry.routes {
            #expect(
                paths[route.path]?[route.method.rawValue.lowercased()] != nil,
                "\(route.method.rawValue) \(route.path) is missing from docs/openapi.json")
        }
    }

    @Test("the local listener is refused a non-loopback address while it serves the dashboard")
    func loopbackOnly() {
        #expect(LocalListener.isLoopback(host: "127.0.0.1:9464"))
        #expect(LocalListener.isLoopback(host: "localhost"))
        #expect(LocalListener.isLoopback(host: "[::1]:9464"))
        #expect(LocalListener.isLoopback(host: "::1"))
        #expect(!LocalListener.isLoopback(host: "0.0.0.0"))
        #expect(!LocalListener.isLoopback(host: "10.0.0.5:9464"))
        #expect(!LocalListener.isLoopback(host: "evil.example:9464"))
        #expect(!LocalListener.isLoopback(host: "127.0.0.1.evil.example"))
    }
}
