import Foundation
import ShareBusCore
import ShareBusTesting
import Testing

@Suite("Disk full: the data folder on a small tmpfs that fills up")
struct DiskFullTests {
    static let rounds = ReliabilityRun.scale(quick: 1, full: 5)

    @Test(
        "pushes get 503 storage-unavailable, never 201, while the disk is full; reads keep working; freeing space recovers with no restart",
        .timeLimit(.minutes(10)))
    func fillAndFree() async throws {
        var figures = ReliabilityRun.Figures(
            id: "disk-full", title: "Disk full",
            method:
                "The data folder on a 24 MiB tmpfs; \(Self.rounds) time(s): envelopes pushed, the tmpfs filled with a file until ENOSPC, "
                + "pushes continued until refused, reads tried, the file deleted, pushes retried until accepted, refused envelopes sent again. "
                + "Then the bus stopped, PRAGMA integrity_check and `sharebus audit verify` run, and the history checked.")
        let ws = try Workspace()
        defer { ws.remove() }
        try await Tmpfs.with(at: ws.data, size: "24m") {
            try await ws.prepare()
            let busCertificate = try ws.busCertificate()
            let ledger = Ledger(busCertificate: busCertificate, allowedRefusals: ["storage-unavailable"])
            let filler = ws.data + "/filler"
            var refusedWhileFull = 0
            var readsWhileFull = 0
            var recoverySeconds: [Double] = []
            var pullWhileFull = ""
            let received = try await BusServer.with(ws) { server in
                let provider = try ws.client(Workspace.provider, server)
                let consumer = try ws.client(Workspace.consumer, server)
                let subscription = try await Observation.subscribePull(consumer)
                let pusher = Pusher(number: 0, client: provider, builder: try ws.envelopeBuilder(), ledger: ledger)
                var received: [History.Message] = []
                for round in 1...Self.rounds {
                    #expect(await pusher.run(round: round * 10, limit: 20) == 20, "round \(round): the bus refused before the disk was full")
                    _ = Tmpfs.fill(filler)
                    // Push until the bus refuses several in a row: the WAL may still have room for a few.
                    var streak = 0
                    for count in 0..<3000 where streak < 10 {
                        let sent = try pusher.envelope(round: round * 10 + 1, count: count)
                        await ledger.sent()
                        let reply = try await provider.post("/v1/envelopes", body: sent.body, contentType: EnvelopeBuilder.mediaType)
                        await ledger.answered(sent, status: reply.status, body: reply.body)
                        if reply.status == 503 {
                            streak += 1
                            refusedWhileFull += 1
                            #expect(reply.problemCode == "storage-unavailable", "\(reply.text)")
                        } else {
                            streak = 0
                            #expect(reply.status == 201, "while filling: \(reply.status) \(reply.text)")
                        }
                    }
                    #expect(streak >= 10, "round \(round): the bus never refused although the disk is full")
                    let catalog = try await consumer.get("/v1/resources")
                    #expect(catalog.status == 200, "reading the catalog while the disk is full: \(catalog.text)")
                    // A pull hands out records and is audited (`subscription.pull`) in the same transaction, so while
                    // nothing can be written it is refused like a push: 503 storage-unavailable, never a 500.
                    let pull = try await consumer.get("/v1/subscriptions/\(subscription)/messages?limit=10&wait=0")
                    #expect(pull.status == 200 || pull.problemCode == "storage-unavailable", "pulling while full: \(pull.status) \(pull.text)")
                    pullWhileFull = pull.status == 200 ? "answered 200" : "refused \(pull.status) \(pull.problemCode ?? "")"
                    let status = try await consumer.get("/v1/subscriptions/\(subscription)")
                    #expect(status.status == 200, "reading the subscription while the disk is full: \(status.text)")
                    if catalog.status == 200, status.status == 200 { readsWhileFull += 1 }

                    try FileManager.default.removeItem(atPath: filler)
                    let freed = ContinuousClock.now
                    var recovered = false
                    for count in 0..<100 where !recovered {
                        let sent = try pusher.envelope(round: round * 10 + 2, count: count)
                        await ledger.sent()
                        let reply = try await provider.post("/v1/envelopes", body: sent.body, contentType: EnvelopeBuilder.mediaType)
                        await ledger.answered(sent, status: reply.status, body: reply.body)
                        recovered = reply.status == 201
                        if !recovered { try await Task.sleep(for: .milliseconds(100)) }
                    }
                    #expect(recovered, "round \(round): the bus did not accept envelopes again once space was freed")
                    recoverySeconds.append(ReliabilityRun.seconds(ContinuousClock.now - freed))
                    await ledger.settle(with: provider)
                    #expect(await ledger.refused.isEmpty, "refused envelopes were refused again after space was freed")
                }
                received += try await Observation.pullToEnd(consumer, subscription: subscription, busCertificate: busCertificate)
                return received
            }
            let problems = await ledger.problems
            #expect(problems.isEmpty, "\(problems.count) unexpected answers, first: \(problems.prefix(3))")
            var history = await ledger.history()
            history.received = ["pull subscriber": received]
            try await Observation.stored(in: ws.data, into: &history)
            let verdict = HistoryChecker.check(history)
            #expect(verdict.isValid, "\(verdict)")
            let integrity = try await StoreChecks.verify(ws)
            #expect(integrity.isEmpty, "\(integrity)")
            figures.take(verdict)
            figures.passed = figures.passed && integrity.isEmpty && refusedWhileFull > 0 && readsWhileFull == Self.rounds
            figures.notes["503 storage-unavailable while full"] = "\(refusedWhileFull)"
            figures.notes["catalog and subscription reads answered while full"] = "\(readsWhileFull) of \(Self.rounds)"
            figures.notes["a pull while full (audited, so a write)"] = pullWhileFull
            figures.notes["first 201 after freeing space (s)"] = recoverySeconds.map { String(format: "%.2f", $0) }.joined(separator: ", ")
            figures.notes["integrity_check, audit verify"] = integrity.isEmpty ? "ok, ok" : integrity.joined(separator: "; ")
        }
        ReliabilityRun.report(figures)
    }
}
