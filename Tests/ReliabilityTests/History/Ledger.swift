import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import X509

/// An envelope pushed in a run: its body exactly as sent, so it can be sent again byte for byte.
struct SentEnvelope: Sendable {
    let id: String
    let body: [UInt8]
    /// The records of its upserts, in order.
    let records: [JSONValue]
}

/// What the bus answered to every envelope pushed: a verified receipt, no answer (uncertain: the bus died or
/// the request failed), a refusal the scenario allows (`storage-unavailable`), or something it should not have said.
actor Ledger {
    let busCertificate: Certificate
    /// Problem codes a scenario expects besides 201 (e.g. 503 `storage-unavailable` when the disk is full).
    let allowedRefusals: Set<String>
    private(set) var attempted = 0
    private(set) var receipts: [String: History.Receipt] = [:]
    private(set) var uncertain: [String: SentEnvelope] = [:]
    private(set) var refused: [String: SentEnvelope] = [:]
    private(set) var refusals: [String: Int] = [:]
    private(set) var problems: [String] = []

    init(busCertificate: Certificate, allowedRefusals: Set<String> = []) {
        self.busCertificate = busCertificate
        self.allowedRefusals = allowedRefusals
    }

    var acknowledged: Int { receipts.count }

    func sent() { attempted += 1 }

    func uncertain(_ sent: SentEnvelope) { uncertain[sent.id] = sent }

    /// Records the bus's answer; a receipt counts only once its bus signature verifies and it fits the envelope.
    func answered(_ sent: SentEnvelope, status: Int, body: [UInt8]) {
        guard status == 201 || status == 200 else {
            let code = (try? StrictJSON.parse(body))?["code"]?.stringValue ?? "-"
            if allowedRefusals.contains(code) {
                refusals["\(status) \(code)", default: 0] += 1
                refused[sent.id] = sent
                uncertain[sent.id] = nil
            } else {
                problems.append("envelope \(sent.id): \(status) \(String(decoding: body, as: UTF8.self))")
            }
            return
        }
        let wasPending = uncertain.removeValue(forKey: sent.id) != nil || refused.removeValue(forKey: sent.id) != nil
        if status == 200, !wasPending, receipts[sent.id] == nil {
            problems.append("envelope \(sent.id) was new, but the bus answered 200 as for a resend")
        }
        do {
            let receipt = try BusReply.verify(body, certificate: busCertificate, type: BusSigner.receiptType).payload
            guard receipt["envelopeId"]?.stringValue == sent.id, case .integer(let first) = receipt["firstSequence"],
                case .integer(let last) = receipt["lastSequence"], last - first + 1 == Int64(sent.records.count)
            else {
                problems.append("envelope \(sent.id): the receipt does not fit the envelope: \(receipt)")
                return
            }
            if let earlier = receipts[sent.id], earlier.first != first || earlier.last != last {
                problems.append("envelope \(sent.id) got sequences \(first)...\(last) after \(earlier.first)...\(earlier.last)")
            }
            receipts[sent.id] = History.Receipt(
                envelopeId: sent.id, resource: receipt["resource"]?.stringValue ?? Workspace.resource, first: first, last: last,
                records: sent.records)
        } catch {
            problems.append("envelope \(sent.id): the receipt does not verify: \(error)")
        }
    }

    /// Sends every envelope whose fate is open (no answer, or refused) again, byte for byte: 200 if the
    /// bus had kept it, 201 if not; afterwards every envelope sent is acknowledged or refused once more.
    func settle(with client: PEMFileClient) async {
        for sent in (Array(uncertain.values) + Array(refused.values)).sorted(by: { $0.id < $1.id }) {
            do {
                let reply = try await client.post("/v1/envelopes", body: sent.body, contentType: EnvelopeBuilder.mediaType)
                answered(sent, status: reply.status, body: reply.body)
            } catch {
                problems.append("envelope \(sent.id): resending failed: \(error)")
            }
        }
    }

    func history() -> History {
        History(attempted: attempted, receipts: receipts.values.sorted { $0.first < $1.first })
    }
}

/// One department system pushing envelopes of 1 to 5 upserts as fast as the bus answers.
struct Pusher: Sendable {
    let number: Int
    let client: PEMFileClient
    let builder: EnvelopeBuilder
    let ledger: Ledger
    /// Keys come from a small set, so records are overwritten and the current state has something to prove.
    static let keys = 40

    /// A fresh envelope with unique values (whichever upsert of a key came last is the one its current record must show).
    func envelope(round: Int, count: Int) throws -> SentEnvelope {
        let records = (0..<Int.random(in: 1...5)).map { i in
            Workspace.record("key-\(Int.random(in: 0..<Self.keys))", Int64(round * 100_000_000 + number * 1_000_000 + count * 10 + i))
        }
        let id = UUID()
        let body = try builder.envelope(
            id: id, sender: Workspace.provider, resource: Workspace.resource,
            operations: records.map { .object(["op": .string("upsert"), "record": $0]) })
        return SentEnvelope(id: id.uuidString.lowercased(), body: body, records: records)
    }

    /// Pushes until a request fails (the bus died), `limit` envelopes are sent, or `until` passes; answers how many got 201.
    @discardableResult
    func run(round: Int, limit: Int = .max, until deadline: ContinuousClock.Instant = .now + .seconds(600)) async -> Int {
        var created = 0
        for count in 0..<limit where ContinuousClock.now < deadline {
            guard let sent = try? envelope(round: round, count: count) else { return created }
            await ledger.sent()
            do {
                let reply = try await client.post("/v1/envelopes", body: sent.body, contentType: EnvelopeBuilder.mediaType)
                await ledger.answered(sent, status: reply.status, body: reply.body)
                if reply.status == 201 { created += 1 }
            } catch {
                await ledger.uncertain(sent)
                return created
            }
        }
        return created
    }
}
