import ArgumentParser
import Foundation

/// W6 (push delivery): a push subscription whose webhook is this process (HTTPS, mutual TLS). One
/// provider pushes 1-op envelopes, first at a steady rate, then in bulk (closed loop on several
/// connections); the bus POSTs batches of deliveries to the webhook, which verifies each and
/// answers 200. Per phase: deliveries/s and the end-to-end lag (push start → in the webhook's hands).
struct PushDeliveryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "push", abstract: "W6: push subscription delivering to a webhook here.")

    @OptionGroup var target: TargetOptions
    @Option(help: "The provider, DIR:CODE.") var provider: String
    @Option(help: "The subscribing consumer's credential folder.") var consumer: String
    @Option(help: "The webhook's TLS certificate (PEM), issued by the platform CA.") var receiverCert: String
    @Option(help: "Its private key (PEM).") var receiverKey: String
    @Option(help: "Envelopes a second in the steady phase.") var rate: Int = 100
    @Option(help: "Seconds of the steady phase; 0 skips it.") var steadySeconds: Int = 10
    @Option(help: "Seconds of the bulk phase; 0 skips it.") var bulkSeconds: Int = 10
    @Option(help: "Provider connections in the bulk phase.") var bulkConnections: Int = 8
    @Option(help: "Seconds the webhook may take to receive everything after a phase's pushes end.") var drainSeconds: Int = 30

    func run() async throws {
        guard (1...10_000).contains(rate), (0...600).contains(steadySeconds), (0...600).contains(bulkSeconds),
            (1...256).contains(bulkConnections), (1...600).contains(drainSeconds)
        else { throw ValidationError("--rate 1...10000, --steady-seconds/--bulk-seconds 0...600, --bulk-connections 1...256") }
        let spec = try ProviderSpec(provider)
        let caPEM = try target.caPEM()
        let producer = try BusHTTP(url: target.url, caPEM: caPEM, credential: spec.credential, connections: max(bulkConnections, 4))
        let subscriber = try BusHTTP(url: target.url, caPEM: caPEM, credential: try Credential(directory: consumer), connections: 1)
        let sink = WebhookSink(busKey: try await Wire.busKey(producer))
        let receiver = try await WebhookReceiver.start(certificate: receiverCert, key: receiverKey, caPEM: caPEM, sink: sink)
        let webhook = "https://127.0.0.1:\(receiver.port)/sharebus/deliveries"
        let subscription = try await Wire.subscribe(
            subscriber, resource: spec.resource, fields: ["sentAt", "f0"], permissions: ["push"], startNow: true, webhook: webhook)
        var result: [String: Any] = ["subscription": subscription, "webhook": webhook]
        let push: @Sendable (String) async throws -> Void = { key in
            let payload = Wire.message(sender: spec.credential.id, resource: spec.resource, keyPrefix: key, count: 1, sentAt: wallMicros())
            let reply = try await producer.send(
                .POST, "/v1/envelopes", body: try spec.signer.envelope(payload: payload), contentType: "application/jose+json")
            guard reply.status == 201 else { throw BenchError("push: HTTP \(reply.status) \(reply.text.prefix(300))") }
        }
        // Warm-up, not counted: the dispatcher finds the new subscription, connects, and delivers.
        for i in 0..<5 {
            try await push("w6w-\(i)")
            let deadline = nowNanos() + UInt64(drainSeconds) * 1_000_000_000
            while sink.messages <= i && nowNanos() < deadline { try? await Task.sleep(for: .milliseconds(5)) }
        }
        let warmup = sink.takeTally()
        guard warmup.messages == 5 else { throw BenchError("the webhook got \(warmup.messages) of 5 warm-up records (refused \(warmup.refused))") }
        if steadySeconds > 0 {
            let monitor = PhaseMonitor(pid: target.busPid)
            let start = nowNanos()
            let (pushed, receipts, errors) = await steady(push: push)
            var phase = await finish(sink: sink, start: start, pushed: pushed, pushSeconds: Double(nowNanos() - start) / 1e9)
            phase["receipt_latency_us"] = receipts.summary
            phase["errors"] = errors
            phase["rate"] = rate
            for (key, value) in await monitor.finish() { phase[key] = value }
            result["steady"] = phase
        }
        if bulkSeconds > 0 {
            let monitor = PhaseMonitor(pid: target.busPid)
            let pushed = Counter()
            let start = nowNanos()
            let outcome = await ClosedLoop(workers: bulkConnections, warmup: .zero, duration: .seconds(bulkSeconds)).run { worker, iteration in
                try await push("w6b-\(worker)-\(iteration)")
                _ = pushed.add(1)
                return 1
            }
            var phase = await finish(sink: sink, start: start, pushed: pushed.current, pushSeconds: Double(nowNanos() - start) / 1e9)
            phase["receipt_latency_us"] = outcome.latencies.summary
            phase["errors"] = outcome.errors
            phase["connections"] = bulkConnections
            if !outcome.firstErrors.isEmpty { phase["first_errors"] = outcome.firstErrors }
            for (key, value) in await monitor.finish() { phase[key] = value }
            result["bulk"] = phase
        }
        await receiver.stop()
        await producer.shutdown()
        await subscriber.shutdown()
        try emit(result)
    }

    /// Open loop: four workers push on a fixed schedule of `rate` envelopes a second in all.
    func steady(push: @escaping @Sendable (String) async throws -> Void) async -> (Int, Latencies, Int) {
        let workers = 4
        let rate = self.rate
        let start = nowNanos()
        let end = start + UInt64(steadySeconds) * 1_000_000_000
        return await withTaskGroup(of: (Int, Latencies, Int).self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var pushed = 0, errors = 0
                    var receipts = Latencies()
                    var i = 0
                    while true {
                        let due = start + UInt64(i * workers + worker) * 1_000_000_000 / UInt64(rate)
                        if due >= end { break }
                        let now = nowNanos()
                        if due > now { try? await Task.sleep(for: .nanoseconds(Int64(due - now))) }
                        let t0 = nowNanos()
                        do {
                            try await push("w6s-\(worker)-\(i)")
                            receipts.record(nanos: nowNanos() - t0)
                            pushed += 1
                        } catch {
                            errors += 1
                        }
                        i += 1
                    }
                    return (pushed, receipts, errors)
                }
            }
            var all = (0, Latencies(), 0)
            for await one in group {
                all.0 += one.0
                all.1.add(one.1)
                all.2 += one.2
            }
            return all
        }
    }

    /// Waits (at most `drainSeconds`) until the webhook has every pushed record, then summarises the phase.
    func finish(sink: WebhookSink, start: UInt64, pushed: Int, pushSeconds: Double) async -> [String: Any] {
        let deadline = nowNanos() + UInt64(drainSeconds) * 1_000_000_000
        while sink.messages < pushed && nowNanos() < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        let tally = sink.takeTally()
        let seconds = Double((tally.lastAt ?? start) - start) / 1e9
        return [
            "pushed": pushed, "push_seconds": round1(pushSeconds), "push_rate": round1(Double(pushed) / max(pushSeconds, 0.001)),
            "delivered": tally.messages, "complete": tally.messages >= pushed, "seconds": round1(seconds),
            "deliveries_per_s": round1(Double(tally.messages) / max(seconds, 0.001)), "lag_us": tally.lag.summary,
            "batches": tally.batches, "mean_batch": round1(Double(tally.messages) / Double(max(tally.batches, 1))),
            "duplicates": tally.duplicates, "refused": tally.refused,
        ]
    }
}
