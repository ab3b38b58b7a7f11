import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import Testing
import X509

@Suite("Slow and dead peers: a stopped webhook, slowloris clients and idle TLS connections hold up no one else")
struct SlowPeerTests {
    @Test("a webhook receiver stopped with SIGSTOP does not delay another subscription's push deliveries", .timeLimit(.minutes(10)))
    func stoppedReceiver() async throws {
        let envelopes = ReliabilityRun.scale(quick: 5, full: 40)
        var figures = ReliabilityRun.Figures(
            id: "slow-webhook", title: "Stopped webhook receiver (SIGSTOP)",
            method:
                "Two push subscriptions on one resource: receiver A in a process of its own, receiver B in the test. A stopped with SIGSTOP; "
                + "\(envelopes) envelopes pushed one by one, each timed until B held it; A resumed with SIGCONT and awaited.")
        let ws = try Workspace()
        defer { ws.remove() }
        try await ws.prepare()
        let busCertificate = try ws.busCertificate()
        let stopped = try await ProcessWebhook.start(platformCAFile: ws.certs + "/ca.pem", in: ws.root)
        let live = try await WebhookEndpoint.start(clientCAFile: ws.certs + "/ca.pem", in: ws.root)
        let ledger = Ledger(busCertificate: busCertificate)
        var latencies: [Double] = []
        let (a, b) = try await BusServer.with(
            ws, extra: ["--webhook-allow", "127.0.0.1", "--webhook-ca", stopped.caFile, "--webhook-ca", live.caFile]
        ) { server in
            let consumer = try ws.client(Workspace.consumer, server)
            _ = try await Observation.subscribePush(consumer, url: stopped.url)
            _ = try await Observation.subscribePush(consumer, url: live.url)
            let pusher = Pusher(number: 0, client: try ws.client(Workspace.provider, server), builder: try ws.envelopeBuilder(), ledger: ledger)
            #expect(await pusher.run(round: 1, limit: 2) == 2)
            let head = await ledger.history().receipts.map(\.last).max() ?? 0
            _ = try await live.waitForAll(upTo: head, busCertificate: busCertificate, timeout: .seconds(20))
            _ = try await Self.waitForAll(stopped, upTo: head, busCertificate: busCertificate, timeout: .seconds(20))
            stopped.pause()
            for count in 0..<envelopes {
                let started = ContinuousClock.now
                #expect(await pusher.run(round: 2 + count, limit: 1) == 1)
                let last = await ledger.history().receipts.map(\.last).max() ?? 0
                _ = try await live.waitForAll(upTo: last, busCertificate: busCertificate, timeout: .seconds(20))
                latencies.append(ReliabilityRun.seconds(ContinuousClock.now - started))
            }
            stopped.resume()
            let last = await ledger.history().receipts.map(\.last).max() ?? 0
            let a = try await Self.waitForAll(stopped, upTo: last, busCertificate: busCertificate, timeout: .seconds(120))
            return (a, try live.messages(busCertificate: busCertificate))
        }
        await stopped.stop()
        await live.stop()
        var history = await ledger.history()
        history.received = ["receiver A (stopped, then resumed)": a, "receiver B": b]
        try await Observation.stored(in: ws.data, into: &history)
        let verdict = HistoryChecker.check(history)
        #expect(verdict.isValid, "\(verdict)")
        let slowest = latencies.max() ?? 0
        #expect(slowest < 5, "receiver B waited \(slowest) s for a delivery while A was stopped")
        figures.take(verdict)
        figures.passed = figures.passed && slowest < 5
        figures.notes["push to delivery at B while A stopped, slowest (s)"] = String(format: "%.2f", slowest)
        figures.notes["push to delivery at B while A stopped, median (s)"] = String(format: "%.2f", latencies.sorted()[latencies.count / 2])
        ReliabilityRun.report(figures)
    }

    static func waitForAll(_ hook: ProcessWebhook, upTo head: Int64, busCertificate: X509.Certificate, timeout: Duration) async throws
        -> [History.Message]
    {
        let deadline = ContinuousClock.now + timeout
        while true {
            let messages = try hook.received.flatMap {
                try Observation.messages(try BusReply.verify($0, certificate: busCertificate, type: BusSigner.deliveryType).payload)
            }
            if Set(messages.map(\.sequence)).isSuperset(of: Set(1...max(1, head))) || ContinuousClock.now >= deadline { return messages }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    @Test(
        "slowloris clients and idle TLS connections: other clients are answered at once, and the idle timeout closes them",
        .timeLimit(.minutes(10)))
    func neglectedConnections() async throws {
        let slow = ReliabilityRun.scale(quick: 40, full: 400)
        let idle = ReliabilityRun.scale(quick: 300, full: 3000)
        let idleTimeout = 4
        var figures = ReliabilityRun.Figures(
            id: "slow-clients", title: "Slowloris and idle TLS connections",
            method:
                "`serve --idle-timeout \(idleTimeout)`; \(slow) connections trickling a request head a byte every 500 ms and \(idle) TLS "
                + "connections idle after the handshake; meanwhile another client pushed envelopes and read the catalog, each timed.")
        let ws = try Workspace()
        defer { ws.remove() }
        try await ws.prepare()
        let ledger = Ledger(busCertificate: try ws.busCertificate())
        let dir = ws.departmentDirectory(Workspace.consumer)
        let connections = RawConnections()
        var latencies: [Double] = []
        let closed = try await BusServer.with(ws, extra: ["--idle-timeout", "\(idleTimeout)"]) { server in
            try await connections.open(
                count: slow, port: server.port, caFile: ws.certs + "/ca.pem", certificateFile: dir + "/cert.pem", keyFile: dir + "/key.pem",
                trickle: .milliseconds(500))
            try await connections.open(
                count: idle, port: server.port, caFile: ws.certs + "/ca.pem", certificateFile: dir + "/cert.pem", keyFile: dir + "/key.pem")
            let opened = ContinuousClock.now
            let consumer = try ws.client(Workspace.consumer, server)
            let pusher = Pusher(number: 0, client: try ws.client(Workspace.provider, server), builder: try ws.envelopeBuilder(), ledger: ledger)
            for round in 0..<10 {
                let started = ContinuousClock.now
                let reply = try await consumer.get("/v1/resources")
                #expect(reply.status == 200)
                #expect(await pusher.run(round: round, limit: 1) == 1)
                latencies.append(ReliabilityRun.seconds(ContinuousClock.now - started))
            }
            let closed = await connections.waitForClosed(slow + idle, timeout: .seconds(idleTimeout + 20))
            figures.notes["all neglected connections closed by the bus after (s)"] = String(
                format: "%.1f", ReliabilityRun.seconds(ContinuousClock.now - opened))
            // A head larger than --max-header-size is refused, and the bus still answers afterwards.
            let big = try await consumer.getWithHeader("/v1/resources", name: "X-Large", value: String(repeating: "a", count: 32 * 1024))
            #expect(big == nil || big! >= 400, "a 32 KiB header was answered \(String(describing: big))")
            figures.notes["a 32 KiB request head"] = big.map { "answered \($0)" } ?? "connection closed"
            #expect(try await consumer.get("/v1/resources").status == 200)
            return closed
        }
        await connections.closeAll()
        let slowest = latencies.max() ?? 0
        #expect(slowest < 2, "another client waited \(slowest) s for an answer")
        #expect(closed == slow + idle, "the bus closed \(closed) of \(slow + idle) neglected connections")
        figures.attempted = await ledger.attempted
        figures.acknowledged = await ledger.acknowledged
        figures.delivered = figures.acknowledged
        figures.passed = slowest < 2 && closed == slow + idle
        figures.notes["connections opened"] = "\(slow) slowloris + \(idle) idle"
        figures.notes["closed by the idle timeout"] = "\(closed)"
        figures.notes["other client's request pairs, slowest (s)"] = String(format: "%.3f", slowest)
        ReliabilityRun.report(figures)
    }
}
