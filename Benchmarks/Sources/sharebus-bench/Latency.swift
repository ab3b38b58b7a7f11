import ArgumentParser
import Foundation

/// W3 (latency): one record at a time at low load. The subscriber's long-poll is waiting; the
/// provider pushes one 1-op envelope; the time from the push's start to the record in the
/// subscriber's hands is one sample. Then the subscriber acknowledges and waits again. Given several
/// nodes (`--url A,B,...`), the provider pushes to the first and the subscriber long-polls the second,
/// so the wake crosses nodes through the shared store.
struct LatencyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "latency", abstract: "W3: push to long-poll delivery, one record at a time.")

    @OptionGroup var target: TargetOptions
    @Option(help: "The provider, DIR:CODE.") var provider: String
    @Option(help: "The subscriber's credential folder.") var consumer: String
    @Option(help: "Measured round trips.") var count: Int = 300
    @Option(help: "Round trips before measuring.") var warmupCount: Int = 10
    @Option(help: "Pause before each push, in milliseconds.") var paceMs: Int = 20

    func run() async throws {
        guard (1...100_000).contains(count), (0...1000).contains(paceMs) else { throw ValidationError("--count 1...100000, --pace-ms 0...1000") }
        let spec = try ProviderSpec(provider)
        let caPEM = try target.caPEM()
        let nodes = target.urls
        let producer = try BusHTTP(url: nodes[0], caPEM: caPEM, credential: spec.credential, connections: 1)
        let subscriber = try BusHTTP(
            url: nodes[nodes.count > 1 ? 1 : 0], caPEM: caPEM, credential: try Credential(directory: consumer), connections: 1)
        let busKey = try await Wire.busKey(producer)
        let subscription = try await Wire.subscribe(
            subscriber, resource: spec.resource, fields: ["sentAt", "f0"], permissions: ["pull"], startNow: true)
        let total = count + warmupCount
        let warmupCount = self.warmupCount
        let (armed, arm) = AsyncStream.makeStream(of: Void.self)
        let deadline = nowNanos() + UInt64(total) * UInt64(paceMs + 2000) * 1_000_000
        let monitor = PhaseMonitor(pid: target.busPid, others: target.otherPid)

        // The subscriber: says it is about to wait, long-polls, timestamps what it gets, acknowledges.
        async let delivered: Latencies = {
            var lag = Latencies()
            var received = 0
            arm.yield()
            defer { arm.finish() }
            while received < total && nowNanos() < deadline {
                let reply = try await subscriber.send(.GET, "/v1/subscriptions/\(subscription)/messages?limit=10&wait=10")
                    .expect([200], "pulling")
                let now = wallMicros()
                let payload = try Wire.verifiedPayload(reply.body, busKey: busKey)
                guard let messages = payload["messages"] as? [[String: Any]], !messages.isEmpty else { continue }
                for message in messages {
                    guard let record = message["record"] as? [String: Any], let sentAt = (record["sentAt"] as? NSNumber)?.int64Value else {
                        throw BenchError("a delivered message has no sentAt")
                    }
                    if received >= warmupCount { lag.record(micros: now - sentAt) }
                    received += 1
                }
                let next = (payload["nextCursor"] as? NSNumber)?.intValue ?? 0
                _ = try await subscriber.post("/v1/subscriptions/\(subscription)/ack", json: ["sequence": next]).expect([200], "acknowledging")
                arm.yield()
            }
            return lag
        }()

        // The provider: waits until the subscriber is waiting, pauses, pushes one record.
        var receipts = Latencies()
        var pushed = 0
        for await _ in armed {
            if pushed >= total || nowNanos() >= deadline { break }
            try await Task.sleep(for: .milliseconds(paceMs))
            let t0 = nowNanos()
            let payload = Wire.message(
                sender: spec.credential.id, resource: spec.resource, keyPrefix: "w3-\(pushed)", count: 1, sentAt: wallMicros())
            let reply = try await producer.send(
                .POST, "/v1/envelopes", body: try spec.signer.envelope(payload: payload), contentType: "application/jose+json")
            guard reply.status == 201 else { throw BenchError("push: HTTP \(reply.status) \(reply.text.prefix(300))") }
            if pushed >= warmupCount { receipts.record(nanos: nowNanos() - t0) }
            pushed += 1
        }
        let lag = try await delivered
        var result: [String: Any] = [
            "count": count, "pace_ms": paceMs, "latency_us": lag.summary, "receipt_latency_us": receipts.summary, "nodes": nodes.count,
        ]
        for (key, value) in await monitor.finish() { result[key] = value }
        try emit(result)
        await producer.shutdown()
        await subscriber.shutdown()
    }
}
