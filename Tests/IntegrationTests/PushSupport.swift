import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusDelivery
import ShareBusHTTP
import ShareBusStore
import Testing

@testable import ShareBusTesting

/// A real bus with push delivery switched on (TestBus leaves it off: it has no delivery
/// configuration), on a folder the test may keep, so that a second bus can start on the same
/// SQLite file or PostgreSQL database as a restarted one would.
enum PushBus {
    /// Delivery settings for tests: the webhook allow-list permits 127.0.0.1 (where `PushReceiver`
    /// listens), retries keep the protocol's 1 s base with no jitter, and short timeouts.
    static func configuration(
        attempts: Int = 10, batchSize: Int = 100, initialBackoff: TimeInterval = 1, allow: [String] = ["127.0.0.1"]
    ) -> DeliveryConfiguration {
        var configuration = DeliveryConfiguration()
        configuration.maxAttempts = attempts
        configuration.batchSize = batchSize
        configuration.retry = RetrySchedule(initial: initialBackoff, maximum: 300, jitter: 0)
        configuration.webhookAllowList = allow
        configuration.requestTimeout = 1
        configuration.connectTimeout = 1
        configuration.scanInterval = .milliseconds(50)
        return configuration
    }

    /// Starts a bus on `directory` (a fresh temporary one, removed afterwards, when nil), runs `body`, stops it.
    static func run<T: Sendable>(
        store: TestStore = .sqlite, pki: TestPKI? = nil, directory: String? = nil, clock: any BusClock = SystemClock(),
        delivery: DeliveryConfiguration = configuration(),
        _ body: @Sendable (TestBus) async throws -> T
    ) async throws -> T {
        let folder = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("sharebus-push-\(UUID().uuidString)").path
        defer { if directory == nil { try? FileManager.default.removeItem(atPath: folder) } }
        return try await TestBus.run(
            store: store, pki: pki, directory: folder, clock: clock, delivery: delivery, localListener: false, dataKeys: .fixed(for: folder),
            body)
    }

    /// `POST /v1/subscriptions` for push delivery to `url`.
    static func subscribe(_ consumer: TestClient, url: String, fields: [String] = ["name"], code: String = Exchange.code) async throws
        -> TestClient.Reply
    {
        try await consumer.post(
            "/v1/subscriptions",
            json: .object([
                "resource": .string(code), "fields": .array(fields.map { .string($0) }), "permissions": .array([.string("push")]),
                "purpose": .string("依法履职核验"), "basis": .string("《政务数据共享管理办法》"),
                "delivery": .object(["mode": .string("push"), "url": .string(url)]),
            ]))
    }

    /// Subscribes for push and expects an active subscription; answers its id.
    static func activeSubscription(
        _ consumer: TestClient, url: String, fields: [String] = ["name"], sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        let reply = try await subscribe(consumer, url: url, fields: fields)
        #expect(reply.status == 201, "subscribe: \(reply.text)", sourceLocation: sourceLocation)
        return try #require(reply.json?["id"]?.stringValue, sourceLocation: sourceLocation)
    }

    /// The delivery a webhook received, its bus signature verified.
    static func delivery(_ received: PushReceiver.Received, bus: TestBus, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        #expect(received.contentType == "application/jose+json", sourceLocation: sourceLocation)
        let verified = try bus.verifyReply(received.body, type: BusSigner.deliveryType)
        #expect(verified.header.type == BusSigner.deliveryType, sourceLocation: sourceLocation)
        return verified.payload
    }

    /// The sequences of every delivery the webhook received, one array per request.
    static func batches(_ receiver: PushReceiver, bus: TestBus) throws -> [[Int64]] {
        try receiver.received.map { Exchange.sequences(try delivery($0, bus: bus)) }
    }

    /// The operator's view of one queue.
    static func queue(_ ops: TestClient, _ id: String) async throws -> JSONValue? {
        let reply = try await ops.get("/v1/ops/queues")
        #expect(reply.status == 200, "queues: \(reply.text)")
        return reply.json?["queues"]?.arrayValue?.first { $0["subscription"]?.stringValue == id }
    }

    /// Polls `condition` every 20 ms until it holds; fails after `timeout`.
    static func eventually(
        _ what: String, timeout: Duration = .seconds(15), sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting until \(what)", sourceLocation: sourceLocation)
        throw ShareBusTestFailure("timed out waiting until \(what)")
    }
}
