import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore
import ShareBusTesting
import Testing

/// The wall clock jumps under a running bus: the real application over real mutual TLS on a real SQLite file,
/// its clock the injected `ManualClock`. (libfaketime preloaded into the binary hides its command line from the
/// Swift runtime, so the binary itself cannot be run under it.)
@Suite("Clock jumps: the bus's wall clock moved forward and back while it runs")
struct ClockJumpTests {
    @Test(
        "clock-skew checks follow the bus clock, sequences stay contiguous, checkpoints signed out of time order still verify",
        .timeLimit(.minutes(5)))
    func jumps() async throws {
        let offsets = ReliabilityRun.scale(quick: [7200, -10800, 0], full: [7200, -10800, 86400 * 2, -86400 * 2, 600, -600, 0])
        // The bus clock starts three days ahead, so that jumping back stays after the certificates' notBefore
        // (a jump before it rightly makes every client certificate "not valid at this time").
        let figures = try await TestBus.run(clock: ManualClock(Date() + 3 * 86400)) { bus in
            try await Self.run(bus, offsets: offsets)
        }
        ReliabilityRun.report(figures)
    }

    static func run(_ bus: TestBus, offsets: [Int]) async throws -> ReliabilityRun.Figures {
        var figures = ReliabilityRun.Figures(
            id: "clock", title: "Clock jumps",
            method:
                "A running bus (real TLS and SQLite, injected clock) whose wall clock jumped through "
                + offsets.map { "\($0 / 60) min" }.joined(separator: ", ")
                + "; at each, an envelope stamped with the true time and one stamped with the bus's time pushed, a checkpoint signed "
                + "under the bus clock and the log pulled; then the history and the audit chain checked.")
        let clock = try #require(bus.clock as? ManualClock)
        let base = clock.now()
        let steward = try await bus.department(TestDepartments.make("clk.steward", roles: [.steward], number: 61))
        let provider = try await bus.department(TestDepartments.make(Workspace.provider, roles: [.provider], number: 62))
        let consumer = try await bus.department(TestDepartments.make(Workspace.consumer, roles: [.consumer], number: 63))
        #expect(try await steward.post("/v1/resources", json: Workspace.resourceJSON).status == 201)
        #expect(try await steward.post("/v1/resources/\(Workspace.resource)/publish").status == 200)
        let subscribed = try await consumer.post(
            "/v1/subscriptions",
            json: .object([
                "resource": .string(Workspace.resource), "fields": .array([.string("value")]), "permissions": .array([.string("pull")]),
                "purpose": .string("故障测试"), "delivery": .object(["mode": .string("pull")]),
            ]))
        let subscription = try #require(subscribed.json?["id"]?.stringValue, "\(subscribed.text)")
        let builder = try EnvelopeBuilder(credential: provider.credential!)
        let ledger = Ledger(busCertificate: bus.pki.busSigning.certificate, allowedRefusals: ["clock-skew"])
        let signer = try BusSigner(certificatePEM: bus.pki.busSigning.certificatePEM, privateKeyPEM: bus.pki.busSigning.privateKeyPEM)
        var received: [History.Message] = []
        var skewRefused = 0
        var checkpointTimes: [String] = []
        for (step, offset) in offsets.enumerated() {
            clock.set(base + TimeInterval(offset))
            for (index, createdAt) in [base, clock.now()].enumerated() {
                let records = [Workspace.record("clock-\(step)-\(index)", Int64(step * 10 + index))]
                let id = UUID()
                let body = try builder.envelope(
                    id: id, sender: Workspace.provider, resource: Workspace.resource, createdAt: createdAt,
                    operations: records.map { .object(["op": .string("upsert"), "record": $0]) })
                await ledger.sent()
                let reply = try await provider.request(.POST, "/v1/envelopes", body: body, contentType: EnvelopeBuilder.mediaType)
                await ledger.answered(
                    SentEnvelope(id: id.uuidString.lowercased(), body: body, records: records), status: reply.status, body: reply.body)
                let skewed = abs(offset) > 300 && index == 0
                #expect(
                    reply.status == (skewed ? 400 : 201), "offset \(offset) s, envelope stamped \(index == 0 ? "true" : "bus") time: \(reply.text)")
                if reply.problemCode == "clock-skew" { skewRefused += 1 }
            }
            let at = Timestamp.format(clock.now())
            let checkpoint = try await bus.store.addCheckpoint { head in
                let payload: JSONValue = .object(["index": .integer(head.index), "hash": .string(head.hash), "at": .string(at)])
                return Checkpoint(index: head.index, hash: head.hash, at: at, jws: try signer.sign(payload, type: BusSigner.checkpointType))
            }
            if let checkpoint { checkpointTimes.append(checkpoint.at) }
            while true {
                let reply = try await consumer.get("/v1/subscriptions/\(subscription)/messages?limit=1000&wait=0")
                try #require(reply.status == 200, "pull at offset \(offset): \(reply.text)")
                let payload = try BusReply.verify(reply.body, certificate: bus.pki.busSigning.certificate, type: BusSigner.deliveryType).payload
                let page = try Observation.messages(payload)
                if page.isEmpty { break }
                received += page
                let ack = try await consumer.post(
                    "/v1/subscriptions/\(subscription)/ack", json: .object(["sequence": payload["nextCursor"] ?? .null]))
                try #require(ack.status == 200, "ack at offset \(offset): \(ack.text)")
            }
        }
        let problems = await ledger.problems
        #expect(problems.isEmpty, "\(problems.prefix(3))")
        var history = await ledger.history()
        history.received = ["pull subscriber": received]
        try await Observation.stored(in: bus.directory, into: &history)
        let verdict = HistoryChecker.check(history)
        #expect(verdict.isValid, "\(verdict)")
        #expect(checkpointTimes.count == offsets.count && checkpointTimes != checkpointTimes.sorted(), "checkpoints: \(checkpointTimes)")
        let report = try await AuditVerifier(busCertificate: bus.pki.busSigning.certificate).verify(bus.store)
        #expect(report.isIntact, "\(report)")
        figures.take(verdict)
        figures.passed = figures.passed && report.isIntact && skewRefused == offsets.filter { abs($0) > 300 }.count
        figures.notes["envelopes refused clock-skew (stamped with the true time after a jump > 300 s)"] = "\(skewRefused)"
        figures.notes["checkpoint times, in index order"] = checkpointTimes.joined(separator: ", ")
        figures.notes["audit chain"] = report.isIntact ? "intact, \(report.entries) entries, \(report.checkpoints) checkpoints" : "\(report)"
        figures.notes["not covered"] =
            "push retries with a real webhook across jumps (the rule for a retry the clock jumped back from is unit-tested in "
            + "Push state machine); approval deadlines are the next row"
        return figures
    }
}
