import ArgumentParser
import Foundation

/// W1 (durable ingest), and the push phase of seeding: workers push signed envelopes of `ops` 1 KB
/// upserts over their own keep-alive connection, each waiting for its 201 receipt (the envelope is
/// durable) before it sends the next. Given several nodes (`--url A,B,C`), worker `w` connects to
/// node `w % nodes` (round robin per connection).
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ingest", abstract: "W1: push signed envelopes as fast as receipts come back.")

    @OptionGroup var target: TargetOptions
    @Option(help: "A provider department's credential folder and its resource, DIR:CODE (repeatable; workers are spread over them).")
    var provider: [String]
    @Option(help: "Concurrent workers, one connection each.") var connections: Int = 64
    @Option(help: "Operations (1 KB records) per envelope, 1...1000.") var ops: Int = 1
    @Option(help: "Warm-up seconds, not counted.") var warmup: Int = 2
    @Option(help: "Measured seconds.") var duration: Int = 10
    @Option(help: "Stop after this many records instead (count-bounded; still bounded by --duration).") var records: Int?
    @Option(help: "Record keys are <prefix>-<worker>-<iteration>-<n>.") var keyPrefix: String = "w1"

    func validate() throws {
        guard !provider.isEmpty, (1...1024).contains(connections), (1...1000).contains(ops), (0...600).contains(warmup),
            (1...3600).contains(duration)
        else { throw ValidationError("--provider, --connections 1...1024, --ops 1...1000, --warmup 0...600, --duration 1...3600") }
    }

    func run() async throws {
        let result = try await Self.push(
            target: target, providers: provider, connections: connections, ops: ops, warmup: records == nil ? warmup : 0,
            duration: duration, records: records, keyPrefix: keyPrefix)
        try emit(result)
    }

    static func push(
        target: TargetOptions, providers specs: [String], connections: Int, ops: Int, warmup: Int, duration: Int, records: Int?,
        keyPrefix: String
    ) async throws -> [String: Any] {
        let providers = try specs.map(ProviderSpec.init)
        let caPEM = try target.caPEM()
        let perProvider = (connections + providers.count - 1) / providers.count
        let nodes = target.urls
        // clients[provider][node]
        let clients = try providers.map { provider in
            try nodes.map { try BusHTTP(url: $0, caPEM: caPEM, credential: provider.credential, connections: perProvider) }
        }
        let busKey = try await Wire.busKey(clients[0][0])
        let sample = Wire.message(sender: "x", resource: "x", keyPrefix: keyPrefix, count: ops, sentAt: wallMicros())
        let monitor = PhaseMonitor(pid: target.busPid, others: target.otherPid)
        var loop = ClosedLoop(workers: connections, warmup: .seconds(warmup), duration: .seconds(duration))
        loop.totalItems = records
        loop.itemsPerRequest = ops
        let outcome = await loop.run { worker, iteration in
            let spec = providers[worker % providers.count]
            let client = clients[worker % providers.count][worker % nodes.count]
            let payload = Wire.message(
                sender: spec.credential.id, resource: spec.resource, keyPrefix: "\(keyPrefix)-\(worker)-\(iteration)", count: ops,
                sentAt: wallMicros())
            let body = try spec.signer.envelope(payload: payload)
            let reply = try await client.send(.POST, "/v1/envelopes", body: body, contentType: "application/jose+json")
            guard reply.status == 201 else { throw BenchError("HTTP \(reply.status) \(reply.text.prefix(300))") }
            if iteration == 0 {
                // The first receipt of each worker is checked as a department would: signed by the bus, for this payload.
                let receipt = try Wire.verifiedPayload(reply.body, busKey: busKey)
                guard let first = receipt["firstSequence"] as? Int, let last = receipt["lastSequence"] as? Int, last - first + 1 == ops else {
                    throw BenchError("the receipt does not cover \(ops) operations: \(receipt)")
                }
            }
            return ops
        }
        var result = outcome.json(itemName: "records")
        result["envelopes_per_s"] = result["requests_per_s"]
        result["connections"] = connections
        result["ops_per_envelope"] = ops
        result["providers"] = providers.count
        result["nodes"] = nodes.count
        result["payload_bytes"] = sample.count
        result["record_bytes"] = Wire.record(key: "\(keyPrefix)-0-0-0", sentAt: wallMicros()).utf8.count
        for (key, value) in await monitor.finish() { result[key] = value }
        for client in clients.joined() { await client.shutdown() }
        return result
    }
}
