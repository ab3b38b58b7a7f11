import Foundation
import ShareBusCore
import ShareBusTesting
import Testing

/// The checker is only worth its verdicts if it reports what it is there to catch: these negative
/// controls break a real run's history, or its SQLite file, one way at a time.
@Suite("History checker: a real run passes; a lost, changed or duplicated record is reported")
struct HistoryCheckerTests {
    @Test(
        "a log row deleted from the SQLite file, or a receipt's records missing from what a subscriber got, is reported lost",
        .timeLimit(.minutes(2)))
    func negativeControls() async throws {
        let ws = try Workspace()
        defer { ws.remove() }
        try await ws.prepare()
        let busCertificate = try ws.busCertificate()
        let ledger = Ledger(busCertificate: busCertificate)
        let received = try await BusServer.with(ws) { server in
            let pusher = Pusher(number: 0, client: try ws.client(Workspace.provider, server), builder: try ws.envelopeBuilder(), ledger: ledger)
            #expect(await pusher.run(round: 1, limit: 25) == 25)
            let consumer = try ws.client(Workspace.consumer, server)
            let subscription = try await Observation.subscribePull(consumer)
            return try await Observation.pullToEnd(consumer, subscription: subscription, busCertificate: busCertificate)
        }
        var history = await ledger.history()
        history.received = ["pull subscriber": received]
        try await Observation.stored(in: ws.data, into: &history)
        let clean = HistoryChecker.check(history)
        #expect(clean.isValid, "\(clean)")
        #expect(clean.acknowledged == 25 && clean.delivered == 25)

        // The observed history without one receipt's records.
        let victim = history.receipts[history.receipts.count / 2]
        var dropped = history
        dropped.received["pull subscriber"] = received.filter { $0.envelopeId != victim.envelopeId }
        let droppedVerdict = HistoryChecker.check(dropped)
        #expect(!droppedVerdict.isValid)
        #expect(droppedVerdict.lost.count == 1 && droppedVerdict.lost[0].contains(victim.envelopeId), "\(droppedVerdict)")
        #expect(droppedVerdict.delivered == 24)

        // One row deleted from the file by someone with the file in hand; a new subscriber then reads the log from 1.
        let deleted = try await Command.sqlite(
            ws.database, "DELETE FROM log WHERE resource = '\(Workspace.resource)' AND sequence = \(victim.first);")
        #expect(deleted.status == 0, "\(deleted)")
        let afterDelete = try await BusServer.with(ws) { server in
            let consumer = try ws.client(Workspace.consumer, server)
            let subscription = try await Observation.subscribePull(consumer)
            return try await Observation.pullToEnd(consumer, subscription: subscription, busCertificate: busCertificate)
        }
        var tampered = await ledger.history()
        tampered.received = ["new pull subscriber": afterDelete]
        try await Observation.stored(in: ws.data, into: &tampered)
        let verdict = HistoryChecker.check(tampered)
        #expect(!verdict.isValid)
        #expect(verdict.lost.contains { $0.contains(victim.envelopeId) && $0.contains("not in the log") }, "\(verdict)")
        #expect(verdict.lost.contains { $0.contains("new pull subscriber") && $0.contains(victim.envelopeId) }, "\(verdict)")
        #expect(verdict.gaps.contains { $0.contains("the log jumps") }, "\(verdict)")

        // A record's value changed in the file.
        let changed = try await Command.sqlite(
            ws.database,
            "UPDATE log SET record = json_set(record, '$.value', -1) WHERE resource = '\(Workspace.resource)' AND sequence = \(victim.last + 1);")
        #expect(changed.status == 0, "\(changed)")
        var rewritten = await ledger.history()
        try await Observation.stored(in: ws.data, into: &rewritten)
        #expect(HistoryChecker.check(rewritten).wrongValues.contains { $0.contains("sequence \(victim.last + 1)") })
    }

    static let record = Workspace.record("key-1", 1)
    static func receipt(_ id: String, _ first: Int64, _ count: Int) -> History.Receipt {
        History.Receipt(
            envelopeId: id, resource: Workspace.resource, first: first, last: first + Int64(count) - 1,
            records: Array(repeating: record, count: count))
    }
    static func row(_ sequence: Int64, _ id: String) -> History.LogRow {
        History.LogRow(sequence: sequence, envelopeId: id, key: "key-1", record: record)
    }

    @Test("an envelope twice in the log, a sequence acknowledged to two envelopes, and a stale current value are reported")
    func duplicatesAndValues() {
        var history = History(attempted: 2, receipts: [Self.receipt("a", 1, 2), Self.receipt("b", 3, 1)])
        history.log = [Self.row(1, "a"), Self.row(2, "a"), Self.row(3, "b")]
        history.current = ["key-1": Self.record]
        #expect(HistoryChecker.check(history).isValid)

        var twice = history
        twice.log.append(Self.row(4, "a"))
        #expect(HistoryChecker.check(twice).duplicates.contains { $0.contains("envelope a is in the log twice") })

        var shared = history
        shared.receipts.append(Self.receipt("c", 3, 1))
        #expect(HistoryChecker.check(shared).duplicates.contains { $0.contains("sequence 3 acknowledged to both") })

        var stale = history
        stale.current = ["key-1": Workspace.record("key-1", 2)]
        #expect(HistoryChecker.check(stale).wrongValues.contains { $0.contains("current record of key-1") })
    }
}
