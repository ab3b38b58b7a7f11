import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore
import ShareBusTesting
import Synchronization
import Testing

/// What a subscriber pulled over many lives of the bus, kept across kills.
final class PulledMessages: Sendable {
    private let messages = Mutex<[History.Message]>([])
    var all: [History.Message] { messages.withLock { $0 } }
    func append(_ page: [History.Message]) { messages.withLock { $0 += page } }
}

@Suite("Crash: sharebus serve killed with SIGKILL under concurrent push, pull with acks and push delivery")
struct CrashScenarioTests {
    static let cycles = ReliabilityRun.scale(quick: 3, full: 40)
    static let pushers = ReliabilityRun.scale(quick: 4, full: 8)

    @Test(
        "every envelope answered 201 survives each kill with exactly its sequences and is delivered to both subscribers",
        .timeLimit(.minutes(15)))
    func killAndRestart() async throws {
        var figures = ReliabilityRun.Figures(
            id: "crash", title: "Crash (SIGKILL)",
            method:
                "\(Self.cycles) times: `sharebus serve` started on the same data folder, \(Self.pushers) clients pushing envelopes of 1-5 upserts, "
                + "a consumer pulling and acknowledging, a webhook receiving push deliveries; SIGKILL after 0.5-1.5 s. Then one last start: "
                + "unanswered envelopes sent again byte for byte, the pull subscription read to its end, push delivery awaited, the file checked.")
        let ws = try Workspace()
        defer { ws.remove() }
        try await ws.prepare()
        let busCertificate = try ws.busCertificate()
        let builder = try ws.envelopeBuilder()
        let ledger = Ledger(busCertificate: busCertificate)
        let receiver = try await WebhookEndpoint.start(clientCAFile: ws.certs + "/ca.pem", in: ws.root)
        defer { Task { await receiver.stop() } }
        let flags = ["--webhook-allow", "127.0.0.1", "--webhook-ca", receiver.caFile]
        let pulled = PulledMessages()
        var subscriptions: (pull: String, push: String)?
        var kills = 0
        for cycle in 1...Self.cycles {
            let server = try await BusServer.start(ws, extra: flags)
            let consumer = try ws.client(Workspace.consumer, server)
            if subscriptions == nil {
                subscriptions = (try await Observation.subscribePull(consumer), try await Observation.subscribePush(consumer, url: receiver.url))
            }
            let pull = subscriptions!.pull
            await ledger.settle(with: try ws.client(Workspace.provider, server))
            let pushers = try (0..<Self.pushers).map { number in
                Pusher(number: number, client: try ws.client(Workspace.provider, server), builder: builder, ledger: ledger)
            }
            let created = await withTaskGroup(of: Int.self) { group in
                for pusher in pushers { group.addTask { await pusher.run(round: cycle) } }
                group.addTask {
                    while let page = try? await Observation.pullPage(
                        consumer, subscription: pull, busCertificate: busCertificate, limit: 50, received: { pulled.append($0) })
                    {
                        if page.isEmpty { try? await Task.sleep(for: .milliseconds(20)) }
                    }
                    return 0
                }
                try? await Task.sleep(for: .milliseconds(Int.random(in: 500...1500)))
                if await server.stop(signal: SIGKILL) == SIGKILL { kills += 1 }
                return await group.reduce(0, +)
            }
            #expect(created > 0, "cycle \(cycle): nothing was accepted before the kill")
        }
        #expect(kills == Self.cycles, "the server was not killed but exited by itself")

        // One last life: settle what was unanswered, read everything, let push delivery catch up.
        let pushed = try await BusServer.with(ws, extra: flags) { server in
            await ledger.settle(with: try ws.client(Workspace.provider, server))
            let consumer = try ws.client(Workspace.consumer, server)
            pulled.append(try await Observation.pullToEnd(consumer, subscription: subscriptions!.pull, busCertificate: busCertificate))
            let head = pulled.all.map(\.sequence).max() ?? 0
            return try await receiver.waitForAll(upTo: head, busCertificate: busCertificate, timeout: .seconds(60))
        }
        let problems = await ledger.problems
        #expect(problems.isEmpty, "\(problems.count) unexpected answers, first: \(problems.prefix(3))")
        #expect(await ledger.uncertain.isEmpty, "envelopes still unsettled")

        var history = await ledger.history()
        history.received = ["pull subscriber": pulled.all, "push subscriber": pushed]
        try await Observation.stored(in: ws.data, into: &history)
        let verdict = HistoryChecker.check(history)
        #expect(verdict.isValid, "\(verdict)")
        #expect(verdict.acknowledged > 0)
        figures.take(verdict)
        figures.notes["kills"] = "\(kills)"
        figures.notes["log length"] = "\(history.log.count)"
        figures.notes["push deliveries received (with redeliveries)"] = "\(pushed.count)"

        let integrity = try await StoreChecks.verify(ws)
        #expect(integrity.isEmpty, "\(integrity)")
        figures.passed = figures.passed && integrity.isEmpty && kills == Self.cycles
        ReliabilityRun.report(figures)
    }
}
