import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore
import ShareBusTesting
import Synchronization
import Testing

@Suite("sharebus backup and restore of the SQLite store, under load", .timeLimit(.minutes(3)))
struct BackupTests {
    /// Envelopes acknowledged (201) by the bus, in the order the answers came, with when they came.
    actor Acknowledged {
        private(set) var ids: [String] = []
        func add(_ id: String) { ids.append(id) }
    }

    @Test("a backup taken while providers push holds every envelope acknowledged before it began; the restore verifies")
    func backupUnderLoad() async throws {
        let ws = try CLIWorkspace()
        defer { ws.remove() }
        try await CLIExchange.prepare(ws)
        let directory = ws.departmentDirectory(CLIExchange.provider)
        let builder = try EnvelopeBuilder(departmentDirectory: directory)
        let backupFile = ws.path("backup.sqlite")
        let acknowledged = Acknowledged()

        // Load, not throttling, is what this test is about: the per-caller limit is off.
        let before = try await CLI.withServer(["--port", "0", "--rate-limit", "0"] + ws.state, in: ws.root) { server in
            let clients = try (0..<4).map { _ in try PEMFileClient(port: server.port, workspace: ws, department: CLIExchange.provider) }
            let stop = ManagedFlag()
            return try await withThrowingTaskGroup(of: Void.self) { group in
                for (number, client) in clients.enumerated() {
                    group.addTask {
                        var count = 0
                        while !stop.isSet {
                            let id = UUID()
                            let body = try builder.envelope(
                                id: id, sender: CLIExchange.provider, resource: CLIExchange.resource,
                                operations: [CLIExchange.upsert("k\(number)-\(count % 50)", Int64(count))])
                            let reply = try await client.post("/v1/envelopes", body: body, contentType: EnvelopeBuilder.mediaType)
                            #expect(reply.status == 201, "push: \(reply.text)")
                            if reply.status == 201 { await acknowledged.add(id.uuidString.lowercased()) }
                            count += 1
                        }
                    }
                }
                // Until enough is acknowledged to make the check worth something, however busy the machine.
                let clock = ContinuousClock()
                let deadline = clock.now + .seconds(30)
                while await acknowledged.ids.count < 40, clock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
                let ackedBefore = await acknowledged.ids
                let backup = try await ws.sharebus(["backup", "--to", backupFile])
                #expect(backup.status == 0, "\(backup)")
                #expect(backup.stdout.hasPrefix("backup written to \(backupFile)"), "\(backup)")
                try await Task.sleep(for: .milliseconds(300))
                stop.set()
                try await group.waitForAll()
                #expect(await acknowledged.ids.count > ackedBefore.count, "the providers were not pushing while the backup ran")
                return ackedBefore
            }
        }
        #expect(before.count >= 40, "too little load before the backup: \(before.count) envelopes")

        // A second backup to the same name is refused, the first left alone.
        let again = try await ws.sharebus(["backup", "--to", backupFile])
        #expect(again.status != 0)
        #expect(again.stderr.contains("exists"), "\(again)")

        // Restore into a fresh data folder beside the same certs.
        let restoredData = ws.path("restored")
        let restore = try await CLI.run(["restore", "--from", backupFile, "--data", restoredData, "--certs", ws.certs], in: ws.root)
        #expect(restore.status == 0, "\(restore)")
        #expect(restore.stdout.contains("audit log verified"), "\(restore)")
        let verify = try await CLI.run(["audit", "verify", "--data", restoredData, "--certs", ws.certs], in: ws.root)
        #expect(verify.status == 0, "\(verify)")

        let store = try SQLiteStore(directory: restoredData)
        for id in before {
            #expect(try await store.existingEnvelope(sender: CLIExchange.provider, id: id) != nil, "envelope \(id) was acknowledged before the backup but is not in it")
        }
        let head = try await store.head(resource: CLIExchange.resource)
        let log = try await store.log(resource: CLIExchange.resource, after: 0, limit: Int(head) + 10)
        #expect(log.map(\.sequence) == Array(1...head), "the restored log has gaps")

        // Restoring over a store is refused; a file that is not a backup is refused.
        let over = try await CLI.run(["restore", "--from", backupFile, "--data", restoredData, "--certs", ws.certs], in: ws.root)
        #expect(over.status != 0)
        #expect(over.stderr.contains("restore into a new data folder"), "\(over)")
        let junk = ws.path("junk.sqlite")
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: junk))
        let refused = try await CLI.run(["restore", "--from", junk, "--data", ws.path("other"), "--certs", ws.certs], in: ws.root)
        #expect(refused.status != 0, "\(refused)")
        #expect(!FileManager.default.fileExists(atPath: ws.path("other") + "/sharebus.sqlite"))
    }
}

/// A flag set once, read from many tasks.
final class ManagedFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}
