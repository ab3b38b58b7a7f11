import Foundation
import ShareBusCore
import ShareBusTesting
import Testing

@Suite("fsync and write errors injected with strace: never a 201 for data that did not reach the disk")
struct SyncFailureTests {
    /// The system calls made to fail, on the database and its WAL.
    static let faults: [String] = ["fdatasync,fsync", "pwrite64"]

    @Test(
        "writes are refused with 503 from the first I/O error until a restart, readiness says so, and a restart keeps every receipt",
        .timeLimit(.minutes(5)), arguments: faults)
    func injected(syscalls: String) async throws {
        let rounds = ReliabilityRun.scale(quick: 1, full: 5)
        var figures = ReliabilityRun.Figures(
            id: "io-error-\(syscalls.split(separator: ",")[0])", title: "I/O errors: \(syscalls) fails with EIO",
            method:
                "\(rounds) time(s): `sharebus serve` accepting envelopes, then `strace -f -p PID -e inject=\(syscalls):error=EIO` attached "
                + "(syncs: every one of the process, only the store syncs; writes: the database and WAL files); pushes tried, strace detached, pushes and /readyz tried again, the bus restarted "
                + "without injection, refused envelopes sent again, the log read to its end and the file checked.")
        let ws = try Workspace()
        defer { ws.remove() }
        try await ws.prepare()
        let busCertificate = try ws.busCertificate()
        let ledger = Ledger(busCertificate: busCertificate, allowedRefusals: ["storage-unavailable"])
        let builder = try ws.envelopeBuilder()
        let paths = [ws.database, ws.database + "-wal"]
        var refusedDuringFault = 0
        var refusedAfterDetach = 0
        var notReady = 0
        var subscription: String?
        for round in 1...rounds {
            let localPort = try BusServer.freePort()
            let server = try await BusServer.start(ws, localPort: localPort)
            let provider = try ws.client(Workspace.provider, server)
            if subscription == nil { subscription = try await Observation.subscribePull(try ws.client(Workspace.consumer, server)) }
            await ledger.settle(with: provider)
            let pusher = Pusher(number: 0, client: provider, builder: builder, ledger: ledger)
            #expect(await pusher.run(round: round * 10, limit: 10) == 10, "before the fault every envelope is accepted")

            // Only the store syncs in the bus process, so syncs are failed whatever the file; writes only on the database and WAL.
            let faults = try await SyscallFaults.inject(pid: server.pid, syscalls: syscalls, paths: syscalls.contains("sync") ? [] : paths)
            let created = await pusher.run(round: round * 10 + 1, limit: 10)
            #expect(
                created == 0,
                "\(created) envelopes answered 201 although \(syscalls) failed; strace saw:\n\(faults.trace.suffix(1500))\n\(faults.child.stderr.suffix(500))"
            )
            refusedDuringFault += await ledger.refused.count
            await faults.remove()

            // The fault is gone, but the store latched: it refuses writes and says it is not ready until restarted.
            let after = await pusher.run(round: round * 10 + 2, limit: 3)
            #expect(after == 0, "the store wrote again after an I/O error without a restart")
            refusedAfterDetach += 3 - after
            let ready = try await LocalProbe.get(port: localPort, path: "/readyz")
            #expect(ready.status == 503, "/readyz after an I/O error: \(ready.status) \(ready.body)")
            if ready.status == 503 { notReady += 1 }
            let catalog = try await provider.get("/v1/resources")
            #expect(catalog.status == 200, "reads after an I/O error: \(catalog.text)")
            await server.stop()
        }

        let received = try await BusServer.with(ws) { server in
            let provider = try ws.client(Workspace.provider, server)
            await ledger.settle(with: provider)
            #expect(await Pusher(number: 1, client: provider, builder: builder, ledger: ledger).run(round: 99, limit: 5) == 5)
            let consumer = try ws.client(Workspace.consumer, server)
            return try await Observation.pullToEnd(consumer, subscription: subscription!, busCertificate: busCertificate)
        }
        let problems = await ledger.problems
        #expect(problems.isEmpty, "\(problems.count) unexpected answers, first: \(problems.prefix(3))")
        #expect(await ledger.refused.isEmpty, "envelopes refused again after the restart")
        var history = await ledger.history()
        history.received = ["pull subscriber": received]
        try await Observation.stored(in: ws.data, into: &history)
        let verdict = HistoryChecker.check(history)
        #expect(verdict.isValid, "\(verdict)")
        let integrity = try await StoreChecks.verify(ws)
        #expect(integrity.isEmpty, "\(integrity)")
        figures.take(verdict)
        figures.passed = figures.passed && integrity.isEmpty && notReady == rounds
        figures.notes["503 while injected"] = "\(refusedDuringFault)"
        figures.notes["503 after strace detached (latched)"] = "\(refusedAfterDetach)"
        figures.notes["/readyz 503 until restart"] = "\(notReady) of \(rounds)"
        ReliabilityRun.report(figures)
    }
}
