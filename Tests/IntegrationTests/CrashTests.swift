import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore
import ShareBusTesting
import Testing
import X509

@Suite("sharebus serve killed with SIGKILL while envelopes stream in", .timeLimit(.minutes(1)))
struct CrashTests {
    static let pushers = 8
    static let cycles = 3

    @Test("every envelope answered 201 survives with exactly its sequences; no gaps, no duplicates, nothing half-applied")
    func killAndRestart() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let ws = try CLIWorkspace()
        defer { ws.remove() }
        try await CLIExchange.prepare(ws)
        let busCertificate = try CLIExchange.busCertificate(ws)
        let builder = try CrashPusher.builder(ws)
        let ledger = CrashLedger()

        for cycle in 1...Self.cycles {
            try await CLI.withServer(["--port", "0"] + ws.state, in: ws.root) { server in
                let resender = try PEMFileClient(port: server.port, workspace: ws, department: CLIExchange.provider)
                await ledger.resendUncertain(with: resender, busCertificate: busCertificate)
                let pushers = try (0..<Self.pushers).map { number in
                    CrashPusher(
                        number: number, client: try PEMFileClient(port: server.port, workspace: ws, department: CLIExchange.provider),
                        builder: builder, busCertificate: busCertificate, ledger: ledger)
                }
                let created = await withTaskGroup(of: Int.self) { group in
                    for pusher in pushers { group.addTask { await pusher.run(cycle: cycle) } }
                    try? await Task.sleep(for: .seconds(1))
                    let status = await server.stop(signal: SIGKILL)
                    #expect(status == SIGKILL, "cycle \(cycle): the server was not killed but exited with \(status)")
                    return await group.reduce(0, +)
                }
                #expect(created > 0, "cycle \(cycle): nothing was accepted before the kill")
            }
        }

        // Up once more on the same folder: what was uncertain is settled by sending it again, then a consumer reads everything.
        let delivered = try await CLI.withServer(["--port", "0"] + ws.state, in: ws.root) { server in
            await ledger.resendUncertain(
                with: try PEMFileClient(port: server.port, workspace: ws, department: CLIExchange.provider), busCertificate: busCertificate)
            let consumer = try PEMFileClient(port: server.port, workspace: ws, department: CLIExchange.consumer)
            return try await Self.pullEverything(consumer, busCertificate: busCertificate, until: started + .seconds(50))
        }

        let problems = await ledger.problems
        #expect(problems.isEmpty, "\(problems)")
        #expect(await ledger.uncertain.isEmpty)
        let accepted = await ledger.accepted
        let total = try Self.expectContiguous(accepted)
        #expect(delivered.map(\.sequence) == Array(1...total), "the delivered log has gaps or repeats")
        for message in delivered {
            let envelope = try #require(accepted[message.envelopeId], "sequence \(message.sequence) belongs to no accepted envelope")
            #expect((envelope.first...envelope.last).contains(message.sequence))
            #expect(message.record == envelope.sent.operations[Int(message.sequence - envelope.first)]["record"], "sequence \(message.sequence)")
        }

        // The file itself, with the bus stopped.
        let store = try SQLiteStore(directory: ws.data)
        #expect(try await store.head(resource: CLIExchange.resource) == total)
        let log = try await store.log(resource: CLIExchange.resource, after: 0, limit: Int(total) + 10)
        #expect(log.map(\.sequence) == Array(1...total))
        var current: [String: String] = [:]
        for entry in log {
            let envelope = try #require(accepted[entry.envelopeId], "log entry \(entry.sequence) belongs to no accepted envelope")
            #expect((envelope.first...envelope.last).contains(entry.sequence), "log entry \(entry.sequence) is outside its envelope's receipt")
            current[entry.key] = entry.record
        }
        for (id, envelope) in accepted {
            let row = try #require(try await store.existingEnvelope(sender: CLIExchange.provider, id: id), "envelope \(id) has no row")
            let receipt = try BusReply.verify(Array(row.receipt.utf8), certificate: busCertificate, type: BusSigner.receiptType).payload
            #expect(receipt["firstSequence"] == .integer(envelope.first) && receipt["lastSequence"] == .integer(envelope.last), "envelope \(id)")
        }
        for (key, record) in current {
            #expect(try await store.currentRecord(resource: CLIExchange.resource, key: key) == record, "the current record of \(key)")
        }
        let accepts = try await store.auditEntries(AuditQuery(limit: 1_000_000, action: "envelope.accept"))
        #expect(accepts.count == accepted.count, "an envelope without its audit entry, or the other way round")
        let report = try await AuditVerifier(busCertificate: busCertificate).verify(store)
        #expect(report.isIntact, "\(report)")
        #expect(clock.now - started < .seconds(60))
    }

    struct Delivered {
        let sequence: Int64
        let envelopeId: String
        let record: JSONValue?
    }

    /// Subscribes and pulls with limit 1000 until nothing is left, acknowledging each batch.
    static func pullEverything(_ consumer: PEMFileClient, busCertificate: Certificate, until deadline: ContinuousClock.Instant)
        async throws -> [Delivered]
    {
        let subscription = try await CLIExchange.subscribe(consumer)
        var delivered: [Delivered] = []
        while ContinuousClock.now < deadline {
            let reply = try await consumer.get("/v1/subscriptions/\(subscription)/messages?limit=1000&wait=0")
            try #require(reply.status == 200, "\(reply.text)")
            let payload = try BusReply.verify(reply.body, certificate: busCertificate, type: BusSigner.deliveryType).payload
            let messages = try #require(payload["messages"]?.arrayValue)
            guard !messages.isEmpty else { return delivered }
            for message in messages {
                guard case .integer(let sequence) = message["sequence"], let envelopeId = message["envelopeId"]?.stringValue else {
                    Issue.record("a message without sequence or envelopeId: \(message)")
                    continue
                }
                delivered.append(Delivered(sequence: sequence, envelopeId: envelopeId, record: message["record"]))
            }
            let ack = try await consumer.post("/v1/subscriptions/\(subscription)/ack", json: .object(["sequence": payload["nextCursor"] ?? .null]))
            try #require(ack.status == 200, "\(ack.text)")
        }
        Issue.record("the log was not read to its end in time")
        return delivered
    }

    /// The accepted envelopes' ranges, in order, tile 1...total exactly; answers total.
    static func expectContiguous(_ accepted: [String: CrashLedger.Accepted]) throws -> Int64 {
        let ranges = accepted.values.sorted { $0.first < $1.first }
        try #require(!ranges.isEmpty)
        var next: Int64 = 1
        for envelope in ranges {
            #expect(envelope.first == next, "envelope \(envelope.sent.id) starts at \(envelope.first), expected \(next)")
            next = envelope.last + 1
        }
        return next - 1
    }
}
