import ShareBusCore

/// Checks a `History`: nothing acknowledged is lost, the log has no gaps and no envelope twice,
/// every subscriber received every acknowledged record with the value that was sent, and each key's
/// current value is its last upsert in the log.
enum HistoryChecker {
    struct Verdict: Sendable, CustomStringConvertible {
        var attempted = 0
        var acknowledged = 0
        /// Acknowledged envelopes every subscriber received whole.
        var delivered = 0
        /// Acknowledged envelopes some subscriber, or the log, is missing a record of.
        var lost: [String] = []
        var gaps: [String] = []
        var duplicates: [String] = []
        var wrongValues: [String] = []

        var isValid: Bool { lost.isEmpty && gaps.isEmpty && duplicates.isEmpty && wrongValues.isEmpty }
        var problems: [String] { lost + gaps + duplicates + wrongValues }
        var description: String {
            "attempted \(attempted), acknowledged \(acknowledged), delivered \(delivered), lost \(lost.count)"
                + (isValid ? "" : "\n" + problems.prefix(10).joined(separator: "\n"))
        }
    }

    static func check(_ history: History) -> Verdict {
        var verdict = Verdict(attempted: history.attempted, acknowledged: history.receipts.count)
        checkReceipts(history, &verdict)
        let logBySequence = checkLog(history, &verdict)
        var lost = Set<String>()
        for receipt in history.receipts {
            for (offset, record) in receipt.records.enumerated() {
                let sequence = receipt.first + Int64(offset)
                guard let row = logBySequence[sequence], row.envelopeId == receipt.envelopeId else {
                    lost.insert(receipt.envelopeId)
                    verdict.lost.append("envelope \(receipt.envelopeId): sequence \(sequence) is not in the log")
                    continue
                }
                if row.record != record {
                    verdict.wrongValues.append("sequence \(sequence) of \(receipt.envelopeId) holds \(String(describing: row.record)) in the log")
                }
            }
        }
        for (subscriber, messages) in history.received.sorted(by: { $0.key < $1.key }) {
            lost.formUnion(checkSubscriber(subscriber, messages, history, &verdict))
        }
        checkCurrent(history, logBySequence, &verdict)
        verdict.delivered = history.receipts.filter { !lost.contains($0.envelopeId) }.count
        return verdict
    }

    /// Receipts must tile the sequences they claim: no two envelopes share a sequence, no envelope is acknowledged with two ranges.
    private static func checkReceipts(_ history: History, _ verdict: inout Verdict) {
        var owner: [Int64: String] = [:]
        var ranges: [String: (Int64, Int64)] = [:]
        for receipt in history.receipts {
            if receipt.last - receipt.first + 1 != Int64(receipt.records.count) {
                verdict.wrongValues.append(
                    "envelope \(receipt.envelopeId): receipt \(receipt.first)...\(receipt.last) for \(receipt.records.count) records")
            }
            if let earlier = ranges[receipt.envelopeId], earlier != (receipt.first, receipt.last) {
                verdict.duplicates.append(
                    "envelope \(receipt.envelopeId) acknowledged as \(earlier.0)...\(earlier.1) and \(receipt.first)...\(receipt.last)")
            }
            ranges[receipt.envelopeId] = (receipt.first, receipt.last)
            for sequence in receipt.first...max(receipt.first, receipt.last) {
                if let other = owner[sequence], other != receipt.envelopeId {
                    verdict.duplicates.append("sequence \(sequence) acknowledged to both \(other) and \(receipt.envelopeId)")
                }
                owner[sequence] = receipt.envelopeId
            }
        }
    }

    /// The log must be 1...head with no gap and each envelope id in one contiguous run; answers it by sequence.
    private static func checkLog(_ history: History, _ verdict: inout Verdict) -> [Int64: History.LogRow] {
        var bySequence: [Int64: History.LogRow] = [:]
        var runs: [String: Int64] = [:]
        var previous: History.LogRow?
        for row in history.log.sorted(by: { $0.sequence < $1.sequence }) {
            if bySequence[row.sequence] != nil { verdict.duplicates.append("sequence \(row.sequence) is in the log twice") }
            bySequence[row.sequence] = row
            let expected = (previous?.sequence ?? 0) + 1
            if row.sequence != expected {
                verdict.gaps.append("the log jumps from \(expected - 1) to \(row.sequence)")
            }
            if row.envelopeId != previous?.envelopeId {
                if let start = runs[row.envelopeId] {
                    verdict.duplicates.append("envelope \(row.envelopeId) is in the log twice: from \(start) and from \(row.sequence)")
                }
                runs[row.envelopeId] = row.sequence
            }
            previous = row
        }
        return bySequence
    }

    /// A subscriber must have every acknowledged sequence, each as the log and the sender have it, and no gap below its highest.
    private static func checkSubscriber(
        _ subscriber: String, _ messages: [History.Message], _ history: History, _ verdict: inout Verdict
    ) -> Set<String> {
        var seen: [Int64: History.Message] = [:]
        for message in messages {
            if let earlier = seen[message.sequence], earlier != message {
                verdict.wrongValues.append("\(subscriber) received sequence \(message.sequence) twice with different content")
            }
            seen[message.sequence] = message
        }
        if let highest = seen.keys.max() {
            let missing = (1...highest).filter { seen[$0] == nil }
            if !missing.isEmpty {
                verdict.gaps.append("\(subscriber) never received \(missing.count) sequences below \(highest), first \(missing[0])")
            }
        }
        var lost = Set<String>()
        for receipt in history.receipts {
            for (offset, record) in receipt.records.enumerated() {
                let sequence = receipt.first + Int64(offset)
                guard let message = seen[sequence] else {
                    if lost.insert(receipt.envelopeId).inserted {
                        verdict.lost.append("\(subscriber) never received sequence \(sequence) of acknowledged envelope \(receipt.envelopeId)")
                    }
                    continue
                }
                if message.envelopeId != receipt.envelopeId || message.record != record {
                    verdict.wrongValues.append("\(subscriber) received sequence \(sequence) as \(message), not \(receipt.envelopeId)'s record")
                }
            }
        }
        return lost
    }

    /// Each key's current value is the record of its last upsert in the log.
    private static func checkCurrent(_ history: History, _ log: [Int64: History.LogRow], _ verdict: inout Verdict) {
        var last: [String: History.LogRow] = [:]
        for row in log.values where (last[row.key]?.sequence ?? 0) < row.sequence { last[row.key] = row }
        for (key, row) in last where history.current[key] != row.record {
            verdict.wrongValues.append(
                "the current record of \(key) is \(String(describing: history.current[key])), its last upsert \(row.sequence) says \(String(describing: row.record))"
            )
        }
        for key in history.current.keys where last[key] == nil {
            verdict.wrongValues.append("a current record for \(key), which no log row wrote")
        }
    }
}
