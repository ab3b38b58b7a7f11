import ArgumentParser
import Crypto
import Foundation

/// W2 (fan-out): one provider pushes 100-op envelopes; N pull subscribers, each granted a different
/// set of fields, long-poll, verify the bus's signature and acknowledge. Counts records delivered
/// per second over all subscribers and the end-to-end lag (provider's `sentAt` to the subscriber).
struct FanOutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fanout", abstract: "W2: one provider, N pull subscribers.")

    @OptionGroup var target: TargetOptions
    @Option(help: "The provider, DIR:CODE.") var provider: String
    @Option(help: "A consumer department's credential folder (repeatable).") var consumer: [String]
    @Option(help: "Provider connections.") var connections: Int = 4
    @Option(help: "Operations per envelope.") var ops: Int = 100
    @Option(help: "Seconds the provider pushes.") var duration: Int = 15
    @Option(help: "Seconds the subscribers may take to catch up after the provider stops.") var drainSeconds: Int = 30
    @Option(help: "Largest batch a pull asks for.") var limit: Int = 1000

    func run() async throws {
        let spec = try ProviderSpec(provider)
        let caPEM = try target.caPEM()
        let producer = try BusHTTP(url: target.url, caPEM: caPEM, credential: spec.credential, connections: connections)
        let busKey = try await Wire.busKey(producer)
        let consumers = try consumer.map { try BusHTTP(url: target.url, caPEM: caPEM, credential: try Credential(directory: $0), connections: 1) }
        var subscriptions: [String] = []
        for (i, client) in consumers.enumerated() {
            // Subscriber i is granted sentAt and f0...f(i): ten different grants.
            let fields = ["sentAt"] + (0...min(i, 9)).map { "f\($0)" }
            subscriptions.append(try await Wire.subscribe(client, resource: spec.resource, fields: fields, permissions: ["pull"], startNow: true))
        }
        let produced = Counter()
        let producerDone = Counter()
        let hardEnd = nowNanos() + UInt64(duration + drainSeconds + 5) * 1_000_000_000
        let monitor = PhaseMonitor(pid: target.busPid)
        let start = nowNanos()
        let limit = self.limit
        async let subscriberResults: [Subscriber.Result] = withThrowingTaskGroup(of: Subscriber.Result.self) { group in
            for (i, client) in consumers.enumerated() {
                let subscriber = Subscriber(
                    client: client, subscription: subscriptions[i], busKey: busKey, expectedFields: i + 3, limit: limit)
                group.addTask { try await subscriber.run(produced: produced, producerDone: producerDone, hardEnd: hardEnd) }
            }
            var all: [Subscriber.Result] = []
            for try await one in group { all.append(one) }
            return all
        }
        let ops = self.ops
        let outcome = await ClosedLoop(workers: connections, warmup: .zero, duration: .seconds(duration)).run { worker, iteration in
            let payload = Wire.message(
                sender: spec.credential.id, resource: spec.resource, keyPrefix: "w2-\(worker)-\(iteration)", count: ops, sentAt: wallMicros())
            let reply = try await producer.send(
                .POST, "/v1/envelopes", body: try spec.signer.envelope(payload: payload), contentType: "application/jose+json")
            guard reply.status == 201 else { throw BenchError("HTTP \(reply.status) \(reply.text.prefix(300))") }
            _ = produced.add(ops)
            return ops
        }
        _ = producerDone.add(1)
        let results = try await subscriberResults
        var lag = Latencies()
        var delivered = 0
        var last = start
        for r in results {
            lag.add(r.lag)
            delivered += r.received
            last = max(last, r.lastReceived)
        }
        let seconds = Double(last - start) / 1e9
        var result: [String: Any] = [
            "subscribers": consumers.count, "provider_connections": connections, "ops_per_envelope": ops,
            "provider": outcome.json(itemName: "records"), "records_pushed": produced.current, "records_delivered": delivered,
            "delivered_per_s": round1(Double(delivered) / max(seconds, 0.001)), "seconds": round1(seconds),
            "complete": results.allSatisfy { $0.received >= produced.current }, "lag_us": lag.summary,
            "per_subscriber": results.map { ["received": $0.received, "pulls": $0.pulls, "fields": $0.fields] },
        ]
        for (key, value) in await monitor.finish() { result[key] = value }
        try emit(result)
        await producer.shutdown()
        for client in consumers { await client.shutdown() }
    }
}

/// One pull subscriber: long-poll, check the delivery's signature and grant, acknowledge.
struct Subscriber: Sendable {
    let client: BusHTTP
    let subscription: String
    let busKey: P256.Signing.PublicKey
    /// Members each delivered record must have: the key, sentAt and the granted f-fields.
    let expectedFields: Int
    let limit: Int

    struct Result: Sendable {
        var lag = Latencies()
        var received = 0
        var pulls = 0
        var fields = 0
        var lastReceived: UInt64 = 0
    }

    func run(produced: Counter, producerDone: Counter, hardEnd: UInt64) async throws -> Result {
        var result = Result()
        while nowNanos() < hardEnd {
            if producerDone.current > 0 && result.received >= produced.current { break }
            let reply = try await client.send(.GET, "/v1/subscriptions/\(subscription)/messages?limit=\(limit)&wait=1")
                .expect([200], "pulling \(subscription)")
            let now = wallMicros()
            let payload = try Wire.verifiedPayload(reply.body, busKey: busKey)
            result.pulls += 1
            guard let messages = payload["messages"] as? [[String: Any]], !messages.isEmpty else { continue }
            for message in messages {
                guard let record = message["record"] as? [String: Any], let sentAt = (record["sentAt"] as? NSNumber)?.int64Value else {
                    throw BenchError("a delivered message has no record with sentAt: \(message)")
                }
                guard record.count == expectedFields else {
                    throw BenchError("subscription \(subscription) got \(record.count) fields, its grant has \(expectedFields)")
                }
                result.fields = record.count
                result.lag.record(micros: now - sentAt)
            }
            result.received += messages.count
            result.lastReceived = nowNanos()
            guard let next = (payload["nextCursor"] as? NSNumber)?.intValue else { throw BenchError("a delivery has no nextCursor") }
            _ = try await client.post("/v1/subscriptions/\(subscription)/ack", json: ["sequence": next]).expect([200], "acknowledging")
        }
        return result
    }
}
