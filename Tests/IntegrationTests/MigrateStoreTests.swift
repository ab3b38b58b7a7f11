import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusPostgres
import ShareBusStore
import ShareBusTesting
import Testing

@Suite("sharebus migrate-store moves a platform from SQLite to PostgreSQL", .timeLimit(.minutes(4)))
struct MigrateStoreTests {
    @Test("after migrate-store the bus on PostgreSQL goes on where the SQLite bus stopped: cursor, once-only, sequence, audit chain")
    func migrateAndContinue() async throws {
        let cluster = try await PostgresCluster.shared()
        let url = try cluster.makeDatabase()
        let ws = try CLIWorkspace()
        defer { ws.remove() }
        try await CLIExchange.prepare(ws)
        let directory = ws.departmentDirectory(CLIExchange.provider)
        let builder = try EnvelopeBuilder(departmentDirectory: directory)
        let envelopes = try (1...3).map { n in
            try builder.envelope(sender: CLIExchange.provider, resource: CLIExchange.resource, operations: [CLIExchange.upsert("k\(n)", Int64(n))])
        }

        // On SQLite: three envelopes, a subscription whose cursor stands at 2, a signed checkpoint.
        let (subscription, firstReceipt) = try await CLI.withServer(["--port", "0"] + ws.state, in: ws.root) { server in
            let provider = try PEMFileClient(port: server.port, workspace: ws, department: CLIExchange.provider)
            var receipts: [PEMFileClient.Reply] = []
            for body in envelopes {
                let reply = try await provider.post("/v1/envelopes", body: body, contentType: EnvelopeBuilder.mediaType)
                #expect(reply.status == 201, "push: \(reply.text)")
                receipts.append(reply)
            }
            let consumer = try PEMFileClient(port: server.port, workspace: ws, department: CLIExchange.consumer)
            let subscription = try await CLIExchange.subscribe(consumer)
            let consumerArguments = CLIExchange.clientArguments(ws, port: server.port, department: CLIExchange.consumer)
            let pulled = try await CLI.run(["pull", subscription, "--ack", "--limit", "2"] + consumerArguments, in: ws.root)
            #expect(pulled.status == 0, "\(pulled)")
            #expect(pulled.lines.count == 2, "\(pulled)")
            try await ws.succeed(["audit", "checkpoint"])
            return (subscription, receipts[0])
        }
        let sqlite = try SQLiteStore(directory: ws.data)
        let before = try await Self.chain(sqlite)
        let checkpoints = try await sqlite.checkpoints(limit: 10)
        #expect(!checkpoints.isEmpty)

        let migrated = try await CLI.run(["migrate-store", "--from", ws.data, "--to", url], in: ws.root)
        #expect(migrated.status == 0, "\(migrated)")
        #expect(migrated.lines.contains("audit\t\(before.count)"), "\(migrated)")
        #expect(migrated.lines.contains("envelope\t3"), "\(migrated)")
        #expect(migrated.lines.contains("checkpoint\t\(checkpoints.count)"), "\(migrated)")
        #expect(migrated.lines.last == "audit head \(before.last?.index ?? -1) \(before.last?.hash ?? "")", "\(migrated)")

        // The same Certs/, a data folder with no store: the bus runs on PostgreSQL only.
        let state = ["--store", url, "--certs", ws.certs, "--data", ws.path("unused")]
        let verified = try await CLI.run(["audit", "verify"] + state, in: ws.root)
        #expect(verified.status == 0, "\(verified)")
        #expect(verified.stdout.contains("audit log verified: \(before.count) entries, \(checkpoints.count) checkpoints"), "\(verified)")
        try await CLI.withServer(["--port", "0"] + state, in: ws.root) { server in
            let consumerArguments = CLIExchange.clientArguments(ws, port: server.port, department: CLIExchange.consumer)
            let rest = try await CLI.run(["pull", subscription, "--ack"] + consumerArguments, in: ws.root)
            #expect(rest.status == 0, "\(rest)")
            let messages = try rest.lines.map { try StrictJSON.parse(Array($0.utf8)) }
            #expect(messages.map { $0["sequence"] } == [.integer(3)], "the consumer goes on from its cursor: \(rest)")
            #expect(messages.first?["record"] == CLIExchange.record("k3", 3), "\(rest)")

            let provider = try PEMFileClient(port: server.port, workspace: ws, department: CLIExchange.provider)
            let again = try await provider.post("/v1/envelopes", body: envelopes[0], contentType: EnvelopeBuilder.mediaType)
            #expect(again.status == 200, "a resent envelope is a duplicate: \(again.text)")
            #expect(again.body == firstReceipt.body, "the duplicate gets its original receipt")
            let next = try builder.envelope(sender: CLIExchange.provider, resource: CLIExchange.resource, operations: [CLIExchange.upsert("k4", 4)])
            let pushed = try await provider.post("/v1/envelopes", body: next, contentType: EnvelopeBuilder.mediaType)
            #expect(pushed.status == 201, "\(pushed.text)")
            let fourth = try await CLI.run(["pull", subscription, "--ack"] + consumerArguments, in: ws.root)
            #expect(try fourth.lines.map { try StrictJSON.parse(Array($0.utf8))["sequence"] } == [.integer(4)], "the sequence goes on: \(fourth)")
        }

        let postgres = try await PostgresStore.open(url: url)
        let after = try await Self.chain(postgres)
        #expect(after.count > before.count, "the bus on PostgreSQL appended nothing to the chain")
        #expect(Array(after.prefix(before.count)) == before, "every migrated entry keeps its index, contents and hash")
        for (previous, entry) in zip(after, after.dropFirst()) {
            #expect(entry.index == previous.index + 1 && entry.prevHash == previous.hash, "the chain breaks at \(entry.index)")
        }
        let postgresCheckpoints = try await postgres.checkpoints(limit: 10)
        #expect(checkpoints.allSatisfy { postgresCheckpoints.contains($0) }, "the signed checkpoints were copied unchanged")

        // A second migrate into the now used database is refused and changes nothing.
        let refused = try await CLI.run(["migrate-store", "--from", ws.data, "--to", url], in: ws.root)
        expectOneLineFailure(refused, mentioning: ["not empty", "nothing was written"])
        #expect(try await Self.chain(postgres) == after, "the refused migrate changed the audit chain")
        await postgres.close()
    }

    /// Every entry of a store's audit chain, oldest first.
    static func chain(_ store: any ShareBusStore) async throws -> [AuditEntry] {
        var entries: [AuditEntry] = []
        while true {
            let page = try await store.auditEntries(AuditQuery(from: (entries.last?.index ?? 0) + 1, limit: 100))
            entries += page
            if page.count < 100 { return entries }
        }
    }
}
