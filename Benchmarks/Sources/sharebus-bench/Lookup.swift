import ArgumentParser
import Foundation

/// W4 (verification): `POST /v1/verify` at 64 connections, or, while the bus has no such route,
/// `GET /v1/resources/{code}/records/{key}` (query). Also drives the nginx reference with the same
/// request (`--route verify --no-subscribe`).
struct LookupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lookup", abstract: "W4: verify (or query) requests per second.")

    @OptionGroup var target: TargetOptions
    @Option(help: "The caller's credential folder (a consumer department).") var consumer: String
    @Option(help: "Resource whose records are looked up.") var resource: String
    @Option(help: "Keys are <prefix>-<i / 100>-<i % 100> for i below --keys (as `ingest --connections 1 --ops 100` writes them).")
    var keyPrefix: String = "lookup-0"
    @Option(help: "How many keys were seeded.") var keys: Int = 1000
    @Option(help: "verify, query, or auto (verify if the bus has the route, else query).") var route: String = "auto"
    @Flag(help: "Do not subscribe first (for the reference server).") var noSubscribe = false
    @Option(help: "Concurrent workers, one connection each.") var connections: Int = 64
    @Option(help: "Warm-up seconds.") var warmup: Int = 2
    @Option(help: "Measured seconds.") var duration: Int = 10

    func run() async throws {
        guard (1...1024).contains(connections), (1...1_000_000).contains(keys), (1...3600).contains(duration) else {
            throw ValidationError("--connections 1...1024, --keys 1...1000000, --duration 1...3600")
        }
        let client = try BusHTTP(
            url: target.url, caPEM: try target.caPEM(), credential: try Credential(directory: consumer), connections: connections)
        if !noSubscribe {
            let fields = ["sentAt"] + (0..<10).map { "f\($0)" }
            _ = try await Wire.subscribe(client, resource: resource, fields: fields, permissions: ["query", "verify"], startNow: false)
        }
        let (resource, keyPrefix, keys) = (self.resource, self.keyPrefix, self.keys)
        @Sendable func key(_ n: Int) -> String { "\(keyPrefix)-\(n / 100)-\(n % 100)" }
        func verifyBody(_ n: Int) -> [UInt8] {
            // Claims that match the stored record: f0 as stored, f1 with surrounding white space (normalised away).
            let body: [String: Any] = [
                "resource": resource, "key": key(n), "claims": ["f0": Wire.filler[0], "f1": " \(Wire.filler[1]) "],
                "purpose": "性能基准测试 (benchmark)",
            ]
            return Array(try! JSONSerialization.data(withJSONObject: body))
        }
        var used = route
        var note = ""
        if route == "auto" {
            let probe = try await client.send(.POST, "/v1/verify", body: verifyBody(0))
            if probe.status == 200, probe.json?["result"] != nil {
                used = "verify"
                note = "POST /v1/verify answered \(probe.json?["result"] ?? "")"
            } else {
                used = "query"
                note =
                    "POST /v1/verify answered HTTP \(probe.status) \(probe.json?["code"] ?? probe.text.prefix(120)); measured the query route instead"
            }
            log(note)
        }
        if used == "query" {
            let check = try await client.send(.GET, "/v1/resources/\(resource)/records/\(key(0))")
            guard check.status == 200 else { throw BenchError("query of a seeded key: HTTP \(check.status) \(check.text.prefix(300))") }
        }
        let bodies = used == "verify" ? (0..<min(keys, 1000)).map(verifyBody) : []
        let verifying = used == "verify"
        let monitor = PhaseMonitor(pid: target.busPid)
        let outcome = await ClosedLoop(workers: connections, warmup: .seconds(warmup), duration: .seconds(duration)).run { worker, iteration in
            let n = (worker &* 7919 &+ iteration &* 104_729) % keys
            let reply: BusHTTP.Reply
            if verifying {
                reply = try await client.send(.POST, "/v1/verify", body: bodies[n % bodies.count])
            } else {
                reply = try await client.send(.GET, "/v1/resources/\(resource)/records/\(key(n))")
            }
            // 429 `rate-limited` is the verification routes' throttle answering: a completed request, not an answer.
            if reply.status == 429 { return 0 }
            guard reply.status == 200 else { throw BenchError("HTTP \(reply.status) \(reply.text.prefix(300))") }
            return 1
        }
        var result = outcome.json(itemName: "answers")
        result["route"] = used
        result["rate_limited"] = outcome.requests - outcome.items
        result["rate_limited_per_s"] = round1(Double(outcome.requests - outcome.items) / max(outcome.seconds, 0.001))
        result["connections"] = connections
        if !note.isEmpty { result["note"] = note }
        for (key, value) in await monitor.finish() { result[key] = value }
        try emit(result)
        await client.shutdown()
    }
}
