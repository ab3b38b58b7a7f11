import ArgumentParser
import Foundation

/// W5 (backlog): push N records with no consumer, then subscribe from sequence 1 and drain with
/// one subscriber (pull 1000, verify, acknowledge). Reports both rates and the bus's RSS in each phase.
struct BacklogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backlog", abstract: "W5: push a backlog, then drain it with one subscriber.")

    @OptionGroup var target: TargetOptions
    @Option(help: "The provider, DIR:CODE (a resource with no subscriber).") var provider: String
    @Option(help: "The subscriber's credential folder.") var consumer: String
    @Option(help: "Records to push.") var records: Int = 1_000_000
    @Option(help: "Provider connections.") var connections: Int = 8
    @Option(help: "Operations per envelope.") var ops: Int = 100
    @Option(help: "Most seconds the push phase may take.") var maxPushSeconds: Int = 600
    @Option(help: "Most seconds the drain phase may take.") var maxDrainSeconds: Int = 600
    @Option(help: "Records per pull.") var limit: Int = 1000

    func run() async throws {
        guard (1...10_000_000).contains(records), (1...3600).contains(maxPushSeconds), (1...3600).contains(maxDrainSeconds) else {
            throw ValidationError("--records 1...10000000, --max-push-seconds and --max-drain-seconds 1...3600")
        }
        log("W5: pushing \(records) records")
        let push = try await IngestCommand.push(
            target: target, providers: [provider], connections: connections, ops: ops, warmup: 0, duration: maxPushSeconds, records: records,
            keyPrefix: "w5")
        let pushed = push["records"] as? Int ?? 0
        log("W5: pushed \(pushed); draining")
        let client = try BusHTTP(url: target.url, caPEM: try target.caPEM(), credential: try Credential(directory: consumer), connections: 1)
        let busKey = try await Wire.busKey(client)
        let resource = try ProviderSpec(provider).resource
        let subscription = try await Wire.subscribe(
            client, resource: resource, fields: ["sentAt", "f0", "f1", "f2"], permissions: ["pull"], startNow: false)
        let monitor = PhaseMonitor(pid: target.busPid)
        let start = nowNanos()
        let end = start + UInt64(maxDrainSeconds) * 1_000_000_000
        var drained = 0
        var pulls = 0
        var pullLatency = Latencies()
        while drained < pushed && nowNanos() < end {
            let t0 = nowNanos()
            let reply = try await client.send(.GET, "/v1/subscriptions/\(subscription)/messages?limit=\(limit)&wait=1").expect([200], "pulling")
            let payload = try Wire.verifiedPayload(reply.body, busKey: busKey)
            pullLatency.record(nanos: nowNanos() - t0)
            pulls += 1
            guard let messages = payload["messages"] as? [[String: Any]], !messages.isEmpty else { continue }
            drained += messages.count
            let next = (payload["nextCursor"] as? NSNumber)?.intValue ?? 0
            _ = try await client.post("/v1/subscriptions/\(subscription)/ack", json: ["sequence": next]).expect([200], "acknowledging")
        }
        let seconds = Double(nowNanos() - start) / 1e9
        var drain: [String: Any] = [
            "records": drained, "pulls": pulls, "seconds": round1(seconds), "records_per_s": round1(Double(drained) / max(seconds, 0.001)),
            "pull_latency_us": pullLatency.summary, "complete": drained >= pushed,
        ]
        for (key, value) in await monitor.finish() { drain[key] = value }
        try emit(["target_records": records, "push": push, "drain": drain])
        await client.shutdown()
    }
}
