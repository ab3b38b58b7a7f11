import Foundation
import Testing

@Suite("Audit tampering: each change to the audit table is named by sharebus audit verify")
struct AuditTamperTests {
    /// One way of tampering, as SQL run on a copy of the file, and what `audit verify` must then say.
    struct Tampering: Sendable {
        let name: String
        let sql: @Sendable (Int64) -> String
        let mentions: @Sendable (Int64) -> String
    }

    /// `head` is the last index, covered by the last signed checkpoint.
    static let tamperings: [Tampering] = [
        Tampering(
            name: "an entry's content changed", sql: { _ in "UPDATE audit SET target = 'someone.else' WHERE idx = 5;" }, mentions: { _ in "entry 5" }),
        Tampering(name: "an entry deleted", sql: { _ in "DELETE FROM audit WHERE idx = 6;" }, mentions: { _ in "entry 6" }),
        Tampering(
            name: "an entry inserted",
            sql: { _ in
                "UPDATE audit SET idx = -idx WHERE idx >= 7; UPDATE audit SET idx = -idx + 1 WHERE idx < 0; "
                    + "INSERT INTO audit (idx, at, actor, action, target, details, prev_hash, hash, subject) "
                    + "SELECT 7, at, actor, action, 'inserted.target', details, prev_hash, hash, subject FROM audit WHERE idx = 6;"
            }, mentions: { _ in "entry 7" }),
        Tampering(
            name: "two entries swapped",
            sql: { _ in "UPDATE audit SET idx = -1 WHERE idx = 8; UPDATE audit SET idx = 8 WHERE idx = 9; UPDATE audit SET idx = 9 WHERE idx = -1;" },
            mentions: { _ in "entry 8" }),
        Tampering(
            name: "the tail cut off (entries a signed checkpoint covers)", sql: { head in "DELETE FROM audit WHERE idx > \(head - 3);" },
            mentions: { head in "checkpoint \(head) was signed" }),
    ]

    @Test("changed, deleted, inserted, reordered and cut-off entries are each reported; the untouched file verifies", .timeLimit(.minutes(2)))
    func tampering() async throws {
        var figures = ReliabilityRun.Figures(
            id: "audit", title: "Audit tampering",
            method:
                "A bus accepted envelopes, a checkpoint was signed at the head with `sharebus audit checkpoint`; each tampering was made with "
                + "sqlite3 on its own copy of the file and `sharebus audit verify` run on it.")
        let ws = try Workspace()
        defer { ws.remove() }
        try await ws.prepare()
        let ledger = Ledger(busCertificate: try ws.busCertificate())
        try await BusServer.with(ws) { server in
            let pusher = Pusher(number: 0, client: try ws.client(Workspace.provider, server), builder: try ws.envelopeBuilder(), ledger: ledger)
            #expect(await pusher.run(round: 1, limit: 12) == 12)
        }
        var history = await ledger.history()
        try await Observation.stored(in: ws.data, into: &history)
        let verdict = HistoryChecker.check(history)
        #expect(verdict.isValid, "\(verdict)")
        figures.take(verdict)
        try await ws.succeed(["audit", "checkpoint"])
        let head =
            Int64(try await Command.sqlite(ws.database, "SELECT max(idx) FROM audit;").stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(head > 12)
        #expect(try await Self.verify(copyOf: ws, sql: nil).status == 0, "the untouched copy must verify")
        var detected = 0
        for tampering in Self.tamperings {
            let result = try await Self.verify(copyOf: ws, sql: tampering.sql(head))
            let said = result.stderr
            #expect(result.status != 0, "\(tampering.name): not detected\n\(result)")
            #expect(said.contains(tampering.mentions(head)), "\(tampering.name): expected to mention \(tampering.mentions(head))\n\(result)")
            if result.status != 0, said.contains(tampering.mentions(head)) { detected += 1 }
            figures.notes[tampering.name] = said.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "Error: ", with: "")
        }
        figures.passed = figures.passed && detected == Self.tamperings.count
        figures.notes["tamperings detected"] = "\(detected) of \(Self.tamperings.count)"
        ReliabilityRun.report(figures)
    }

    /// Copies the stopped bus's data folder, applies `sql` to the copy and runs `sharebus audit verify` on it.
    static func verify(copyOf ws: Workspace, sql: String?) async throws -> CommandResult {
        let copy = ws.root.appendingPathComponent("copy-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: ws.data, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        if let sql {
            let applied = try await Command.sqlite(copy + "/sharebus.sqlite", sql)
            #expect(applied.status == 0, "\(sql): \(applied)")
        }
        return try await Command.run(["audit", "verify", "--data", copy, "--certs", ws.certs], in: ws.root)
    }
}
