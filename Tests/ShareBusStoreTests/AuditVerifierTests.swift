import Foundation
import GRDB
import ShareBusCore
import ShareBusCrypto
import ShareBusStore
import ShareBusTesting
import Testing

@Suite("AuditVerifier names the first entry that was changed, removed, inserted or cut off")
struct AuditVerifierTests {
    /// A store with `entries` audit entries and a signed checkpoint after each index of `checkpointsAt`.
    struct Chain {
        let directory: String
        let store: SQLiteStore
        let pki: TestPKI
        let signer: BusSigner

        var verifier: AuditVerifier { AuditVerifier(busCertificate: pki.busSigning.certificate) }

        init(entries: Int64 = 12, checkpointsAt: Set<Int64> = [6, 10]) async throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString)").path
            store = try SQLiteStore(directory: directory)
            pki = try TestPKI()
            signer = try BusSigner(certificatePEM: pki.busSigning.certificatePEM, privateKeyPEM: pki.busSigning.privateKeyPEM)
            let start = Date(timeIntervalSince1970: 1_795_000_000)
            for index in 1...entries {
                try await store.appendAudit(
                    AuditEvent(
                        at: start.addingTimeInterval(Double(index)), actor: index % 2 == 0 ? "dept:yc.psb" : "system:cli",
                        action: "envelope.accept", target: "base.population",
                        details: ["envelopeId": .string(UUID().uuidString), "operations": .integer(index), "ratio": .number(0.5)]))
                if checkpointsAt.contains(index) { try await checkpoint(with: signer) }
            }
        }

        /// Signs the head as the bus's checkpoint service does.
        func checkpoint(with signer: BusSigner) async throws {
            _ = try await store.addCheckpoint { head in
                let at = Timestamp.format(Date())
                let payload: JSONValue = .object(["index": .integer(head.index), "hash": .string(head.hash), "at": .string(at)])
                return Checkpoint(index: head.index, hash: head.hash, at: at, jws: try signer.sign(payload, type: BusSigner.checkpointType))
            }
        }

        /// Raw SQL on the file through a connection of its own, as someone with the file in hand would.
        func tamper(_ sql: String, arguments: StatementArguments = []) throws {
            let queue = try DatabaseQueue(path: store.path)
            try queue.write { db in try db.execute(sql: sql, arguments: arguments) }
            try queue.close()
        }

        func entry(_ index: Int64) async throws -> AuditEntry {
            try #require(try await store.auditEntries(AuditQuery(from: index, limit: 1)).first { $0.index == index })
        }

        /// An entry that extends the chain after `previous` correctly, as a forger who knows the scheme writes it.
        func forged(index: Int64, after previous: String) throws -> AuditEntry {
            var entry = AuditEntry(
                index: index, at: "2026-11-22T12:00:00Z", actor: "dept:yc.forger", action: "envelope.accept", target: "base.population",
                details: [:], prevHash: previous, hash: "")
            entry.hash = try CanonicalJSON.sha256Hex(entry.hashedContent)
            return entry
        }

        func insert(_ entry: AuditEntry) throws {
            try tamper(
                "INSERT INTO audit (idx, at, actor, action, target, details, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)",
                arguments: [entry.index, entry.at, entry.actor, entry.action, entry.target, "{}", entry.prevHash, entry.hash])
        }

        /// Moves entries `from` onwards up by one index (through negatives, so no two rows share an index midway).
        func shiftUp(from index: Int64) throws {
            try tamper("UPDATE audit SET idx = -idx - 1 WHERE idx >= ?", arguments: [index])
            try tamper("UPDATE audit SET idx = -idx WHERE idx < 0")
        }

        /// Rewrites entries `from` onwards so each hashes correctly over its (new) index; with `relink`, each also
        /// names its new predecessor's hash as `prevHash`, which leaves a chain that is consistent in itself.
        func rehash(from index: Int64, relink: Bool) async throws {
            var previous = try await entry(index - 1).hash
            for var entry in try await store.auditEntries(AuditQuery(from: index, limit: 1000)) {
                if relink { entry.prevHash = previous }
                entry.hash = try CanonicalJSON.sha256Hex(entry.hashedContent)
                try tamper("UPDATE audit SET prev_hash = ?, hash = ? WHERE idx = ?", arguments: [entry.prevHash, entry.hash, entry.index])
                previous = entry.hash
            }
        }

        func expectProblem(_ kind: AuditProblem.Kind, at index: Int64, _ description: String, sourceLocation: SourceLocation = #_sourceLocation)
            async throws
        {
            for report in [try await verifier.verify(store), try await verifier.verify(databaseAt: store.path)] {
                let problem = try #require(report.problem, "the tampering went unnoticed", sourceLocation: sourceLocation)
                #expect(problem.kind == kind, "\(problem)", sourceLocation: sourceLocation)
                #expect(problem.index == index, "\(problem)", sourceLocation: sourceLocation)
                #expect(problem.description == description, sourceLocation: sourceLocation)
                #expect(!report.isIntact, sourceLocation: sourceLocation)
            }
        }

        func remove() { try? FileManager.default.removeItem(atPath: directory) }
    }

    @Test("an untouched log verifies, from the open store and from the file, with its checkpoints' signatures")
    func intact() async throws {
        let chain = try await Chain()
        defer { chain.remove() }
        let report = try await chain.verifier.verify(chain.store)
        #expect(report == AuditReport(entries: 12, checkpoints: 2, signaturesChecked: true, problem: nil))
        #expect(try await chain.verifier.verify(databaseAt: chain.store.path) == report)
        let unsigned = try await AuditVerifier(busCertificate: nil).verify(chain.store)
        #expect(unsigned == AuditReport(entries: 12, checkpoints: 2, signaturesChecked: false, problem: nil))
    }

    @Test("an empty log verifies")
    func empty() async throws {
        let chain = try await Chain(entries: 1, checkpointsAt: [])
        defer { chain.remove() }
        try chain.tamper("DELETE FROM audit")
        #expect(try await chain.verifier.verify(chain.store) == AuditReport(entries: 0, checkpoints: 0, signaturesChecked: true, problem: nil))
    }

    @Test(
        "a changed field of entry 3 is named",
        arguments: ["actor = 'dept:yc.other'", "details = '{\"operations\":4}'", "at = '2020-01-01T00:00:00Z'"])
    func changedField(_ assignment: String) async throws {
        let chain = try await Chain()
        defer { chain.remove() }
        try chain.tamper("UPDATE audit SET \(assignment) WHERE idx = 3")
        try await chain.expectProblem(.changed, at: 3, "entry 3 was changed: its hash does not match its content")
    }

    @Test("a change with the entry's own hash recomputed is named at the next entry, whose prevHash no longer matches")
    func changedAndRehashed() async throws {
        let chain = try await Chain()
        defer { chain.remove() }
        var entry = try await chain.entry(3)
        entry.actor = "dept:yc.other"
        entry.hash = try CanonicalJSON.sha256Hex(entry.hashedContent)
        try chain.tamper("UPDATE audit SET actor = ?, hash = ? WHERE idx = 3", arguments: [entry.actor, entry.hash])
        try await chain.expectProblem(
            .unlinked, at: 4, "entry 4's prevHash does not match entry 3 (an entry was inserted or removed, or entry 3 was rewritten)")
    }

    @Test("details that are not JSON any more are named")
    func brokenDetails() async throws {
        let chain = try await Chain()
        defer { chain.remove() }
        try chain.tamper("UPDATE audit SET details = '{\"operations\":' WHERE idx = 5")
        try await chain.expectProblem(.changed, at: 5, "entry 5 was changed: its details are not a JSON object")
    }

    @Test("a deleted entry is named, and so is a run of them")
    func deleted() async throws {
        let chain = try await Chain()
        defer { chain.remove() }
        try chain.tamper("DELETE FROM audit WHERE idx = 4")
        try await chain.expectProblem(.missing, at: 4, "entry 4 is missing")
        try chain.tamper("DELETE FROM audit WHERE idx IN (5, 6)")
        try await chain.expectProblem(.missing, at: 4, "entries 4 to 6 are missing")
    }

    @Test("a deleted first entry is named")
    func deletedFirst() async throws {
        let chain = try await Chain()
        defer { chain.remove() }
        try chain.tamper("DELETE FROM audit WHERE idx = 1")
        try await chain.expectProblem(.missing, at: 1, "entry 1 is missing")
    }

    @Test("a removed entry with the later ones renumbered and rehashed is named where the chain breaks")
    func removedAndRenumbered() async throws {
        let chain = try await Chain()
        defer { chain.remove() }
        try chain.tamper("DELETE FROM audit WHERE idx = 4")
        try chain.tamper("UPDATE audit SET idx = 1 - idx WHERE idx > 4")
        try chain.tamper("UPDATE audit SET idx = -idx WHERE idx < 0")
        // Renumbered but not rehashed: each moved entry still hashes as its old index.
        try await chain.expectProblem(
            .misplaced, at: 4, "entry 4 is out of place: it holds the content of entry 5 (entries were reordered, inserted or removed)")
        try await chain.rehash(from: 4, relink: false)
        try await chain.expectProblem(
            .unlinked, at: 4, "entry 4's prevHash does not match entry 3 (an entry was inserted or removed, or entry 3 was rewritten)")
    }

    @Test("an entry inserted in the middle is named")
    func inserted() async throws {
        let chain = try await Chain()
        defer { chain.remove() }
        let previous = try await chain.entry(4).hash
        try chain.shiftUp(from: 5)
        try chain.insert(try chain.forged(index: 5, after: previous))
        // The forged entry links and hashes correctly; the entry pushed along does not.
        try await chain.expectProblem(
            .misplaced, at: 6, "entry 6 is out of place: it holds the content of entry 5 (entries were reordered, inserted or removed)")
        try await chain.rehash(from: 6, relink: false)
        try await chain.expectProblem(
            .unlinked, at: 6, "entry 6's prevHash does not match entry 5 (an entry was inserted or removed, or entry 5 was rewritten)")
    }

    @Test("an insertion with the whole rest of the chain rewritten is caught by the checkpoint that covers it")
    func insertedAndRewritten() async throws {
        let chain = try await Chain()
        defer { chain.remove() }
        let previous = try await chain.entry(7).hash
        try chain.shiftUp(from: 8)
        try chain.insert(try chain.forged(index: 8, after: previous))
        try await chain.rehash(from: 9, relink: true)
        // Checkpoint 6 still matches; checkpoint 10 was signed over the entry now pushed to 11.
        try await chain.expectProblem(
            .rewritten, at: 10, "entry 10 does not match checkpoint 10: the entries up to 10 were rewritten after it was signed")
    }

    @Test("an entry forged onto the tail after the newest checkpoint cannot be told from a real one: the known limit of a chain")
    func appended() async throws {
        let chain = try await Chain(entries: 10, checkpointsAt: [10])
        defer { chain.remove() }
        try chain.insert(try chain.forged(index: 11, after: try await chain.entry(10).hash))
        #expect(try await chain.verifier.verify(chain.store).isIntact, "the chain's limit: the tail after the newest checkpoint")
    }

    @Test("two entries swapped are named")
    func reordered() async throws {
        let chain = try await Chain()
        defer { chain.remove() }
        try chain.tamper("UPDATE audit SET idx = -1 WHERE idx = 3")
        try chain.tamper("UPDATE audit SET idx = 3 WHERE idx = 4")
        try chain.tamper("UPDATE audit SET idx = 4 WHERE idx = -1")
        try await chain.expectProblem(
            .misplaced, at: 3, "entry 3 is out of place: it holds the content of entry 4 (entries were reordered, inserted or removed)")
    }

    @Test("a tail cut after a checkpoint is named against the checkpoint")
    func truncated() async throws {
        let chain = try await Chain()
        defer { chain.remove() }
        try chain.tamper("DELETE FROM audit WHERE idx > 11")
        #expect(try await chain.verifier.verify(chain.store).isIntact, "cut after the newest checkpoint: nothing can tell")
        try chain.tamper("DELETE FROM audit WHERE idx > 8")
        try await chain.expectProblem(.truncated, at: 9, "the log ends at 8 but checkpoint 10 was signed")
        try chain.tamper("DELETE FROM audit")
        try await chain.expectProblem(.truncated, at: 1, "the log is empty but checkpoint 6 was signed")
    }

    @Test("a checkpoint row edited to name another hash no longer says what the bus signed")
    func checkpointEdited() async throws {
        let chain = try await Chain()
        defer { chain.remove() }
        try chain.tamper("UPDATE checkpoint SET hash = (SELECT hash FROM audit WHERE idx = 10) WHERE idx = 6")
        try await chain.expectProblem(.checkpointChanged, at: 6, "checkpoint 6 was changed: its row does not match what the bus signed (index 6)")
    }

    @Test("a checkpoint signed by another key is refused when the bus certificate is given")
    func checkpointForged() async throws {
        let chain = try await Chain(entries: 4, checkpointsAt: [])
        defer { chain.remove() }
        let other = try TestPKI()
        try await chain.checkpoint(
            with: try BusSigner(certificatePEM: other.busSigning.certificatePEM, privateKeyPEM: other.busSigning.privateKeyPEM))
        try await chain.expectProblem(.checkpointInvalid, at: 4, "checkpoint 4 is not signed by the bus certificate")
        #expect(try await AuditVerifier(busCertificate: nil).verify(chain.store).isIntact)
        try chain.tamper("UPDATE checkpoint SET jws = '{\"protected\":1}'")
        let problem = try #require(try await AuditVerifier(busCertificate: nil).verify(chain.store).problem)
        #expect(problem.kind == .checkpointInvalid)
        #expect(problem.description.hasPrefix("checkpoint 4 is not a valid sharebus-checkpoint+jws: "), "\(problem)")
    }
}
