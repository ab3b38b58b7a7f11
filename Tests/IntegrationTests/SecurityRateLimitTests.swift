import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import Testing

@testable import ShareBusHTTP

/// Unrestricted resource consumption (OWASP API4): each caller's certificate identity has a token
/// bucket on the HTTPS routes; past it the bus answers 429 `rate-limited` with `Retry-After`,
/// changes nothing, and other callers go on.
@Suite("Security: per-caller rate limits")
struct SecurityRateLimitTests {
    @Test("past its burst a caller gets 429 rate-limited with Retry-After; other callers are not affected; time refills the bucket")
    func throttled() async throws {
        let clock = ManualClock(Date())
        try await SecurityBus.run(clock: clock, configure: { $0.rateLimits = RateLimitConfiguration(ratePerSecond: 0.5, burst: 5) }) { bus in
            let tax = try await bus.department(Fixture.tax)
            let ops = try await bus.operator("ops")
            for n in 1...5 {
                let reply = try await tax.get("/v1/resources")
                #expect(reply.status == 200, "request \(n): \(reply.text)")
            }
            let limited = try await tax.get("/v1/resources")
            #expect(limited.status == 429)
            #expect(limited.problemCode == "rate-limited")
            #expect(limited.header("content-type") == "application/problem+json")
            #expect(limited.header("retry-after") == "2", "one token at 0.5 per second takes 2 s")
            // Every route, the unknown ones too: the budget is the caller's, not a route's.
            #expect(try await tax.get("/v1/nowhere").status == 429)
            #expect(try await tax.post("/v1/subscriptions", json: .object([:])).status == 429)
            // Another caller has its own bucket.
            #expect(try await ops.get("/v1/ops/queues").status == 200)
            clock.advance(by: 2)
            #expect(try await tax.get("/v1/resources").status == 200)
            #expect(try await tax.get("/v1/resources").status == 429)
        }
    }

    @Test("a throttled request changes nothing: no envelope stored, no audit entry")
    func throttledChangesNothing() async throws {
        let clock = ManualClock(Date())
        try await SecurityBus.run(clock: clock, configure: { $0.rateLimits = RateLimitConfiguration(ratePerSecond: 1, burst: 4) }) { bus in
            // Setting up the world spends the steward's and the provider's budgets.
            let world = try await Exchange.world(bus)
            clock.advance(by: 10)
            #expect(try await world.provider.get("/v1/resources").status == 200)
            for _ in 0..<3 { _ = try await world.provider.get("/v1/departments") }
            let before = try await Exchange.Snapshot.take(bus)
            let envelope = try world.envelope([EnvelopeBuilder.upsert(Exchange.record(1))])
            let refused = try await world.provider.push(envelope)
            #expect(refused.status == 429, "\(refused.text)")
            #expect(try await Exchange.Snapshot.take(bus) == before)
            clock.advance(by: 1)
            #expect(try await world.provider.push(envelope).status == 201)
        }
    }

    @Test("a department's certificates share one budget: a second certificate buys no more requests")
    func sharedAcrossCertificates() async throws {
        let clock = ManualClock(Date())
        try await SecurityBus.run(clock: clock, configure: { $0.rateLimits = RateLimitConfiguration(ratePerSecond: 1, burst: 3) }) { bus in
            let tax = try await bus.department(Fixture.tax)
            let second = try bus.pki.department(Fixture.tax.id, name: Fixture.tax.name)
            try await TestPKI.record(second, in: bus.store)
            let other = try TestClient(bus: bus, credential: second)
            for _ in 0..<3 { #expect(try await tax.get("/v1/resources").status == 200) }
            #expect(try await other.get("/v1/resources").status == 429)
        }
    }

    @Test("pages, pull batches and long-poll waits are bounded: past the bound 400 invalid-parameter, at it an answer")
    func pageAndWaitBounds() async throws {
        try await SecurityBus.run { bus in
            let world = try await Exchange.world(bus)
            let civil = try await bus.department(Security.civil)
            let auditor = try await bus.auditor("audit01")
            let id = try await Exchange.activeSubscription(civil, fields: ["name"])
            let cases: [(TestClient, String)] = [
                (civil, "/v1/resources?limit="), (civil, "/v1/departments?limit="), (civil, "/v1/subscriptions?limit="),
                (civil, "/v1/subscriptions/\(id)/messages?limit="), (auditor, "/v1/audit?limit="), (auditor, "/v1/audit/checkpoints?limit="),
                (world.ops, "/v1/subscriptions?limit="),
            ]
            for (client, path) in cases {
                #expect(try await client.get(path + "1000").status == 200, "\(path)1000")
                let over = try await client.get(path + "1001")
                #expect(over.status == 400 && over.problemCode == "invalid-parameter", "\(path)1001: \(over.text)")
            }
            let wait = try await civil.get("/v1/subscriptions/\(id)/messages?wait=31")
            #expect(wait.status == 400 && wait.problemCode == "invalid-parameter", "\(wait.text)")
        }
    }

    @Test("the limiter's memory is bounded: idle callers' full buckets are forgotten")
    func bounded() {
        let clock = ManualClock(Date())
        var configuration = RateLimitConfiguration(ratePerSecond: 10, burst: 10)
        configuration.maxTrackedCallers = 100
        let limiter = PrincipalRateLimiter(configuration: configuration, clock: clock)
        for n in 0..<100 { #expect(limiter.admit("urn:sharebus:dept:d\(n)") == .admitted) }
        #expect(limiter.trackedCallers == 100)
        clock.advance(by: 1)
        #expect(limiter.admit("urn:sharebus:dept:new") == .admitted)
        #expect(limiter.trackedCallers == 1)
        let off = PrincipalRateLimiter(configuration: RateLimitConfiguration(ratePerSecond: 0, burst: 1), clock: clock)
        for _ in 0..<50 { #expect(off.admit("urn:sharebus:dept:x") == .admitted) }
    }

    @Test("sharebus serve --rate-limit and --rate-burst set the budget of the real binary")
    func serveFlags() async throws {
        let ws = try CLIWorkspace()
        defer { ws.remove() }
        try await ws.succeed(["pki", "init"])
        #expect(try await ws.addDepartment("cli.a", name: "部门甲", creditCode: TestDepartments.creditCode(31)).status == 0)
        try await CLI.withServer(["--port", "0", "--metrics-port", "0", "--rate-limit", "0.1", "--rate-burst", "3"] + ws.state, in: ws.root) { server in
            let a = try PEMFileClient(port: server.port, workspace: ws, department: "cli.a")
            for _ in 0..<3 { #expect(try await a.get("/v1/departments").status == 200) }
            let limited = try await a.get("/v1/departments")
            #expect(limited.status == 429 && limited.problemCode == "rate-limited", "\(limited.text)")
        }
    }
}
