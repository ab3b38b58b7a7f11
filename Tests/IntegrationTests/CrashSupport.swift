import Crypto
import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import X509

/// An envelope a crash test pushed: its body exactly as sent, so it can be sent again byte for byte.
struct SentEnvelope: Sendable {
    let id: String
    let body: [UInt8]
    /// The upserts it carries, in order: operation `i` becomes sequence `firstSequence + i`.
    let operations: [JSONValue]
}

/// What the bus said about every envelope pushed: accepted (with the sequences of its verified receipt),
/// or uncertain (the bus died before it answered), and anything it should not have said.
actor CrashLedger {
    struct Accepted: Sendable {
        let sent: SentEnvelope
        let first: Int64
        let last: Int64
    }

    private(set) var accepted: [String: Accepted] = [:]
    private(set) var uncertain: [String: SentEnvelope] = [:]
    private(set) var problems: [String] = []
    /// Envelopes the bus had made durable though the client never heard so (a resend answered 200).
    private(set) var durableUnanswered = 0
    /// Envelopes a resend after a crash found missing (a resend answered 201): never answered before the crash.
    private(set) var lostUnanswered = 0

    func uncertain(_ sent: SentEnvelope) {
        uncertain[sent.id] = sent
    }

    /// Records the bus's answer to `sent`; a receipt counts only once its bus signature verifies.
    func answered(_ sent: SentEnvelope, status: Int, body: [UInt8], busCertificate: Certificate) {
        guard status == 201 || status == 200 else {
            problems.append("envelope \(sent.id): \(status) \(String(decoding: body, as: UTF8.self))")
            return
        }
        let wasUncertain = uncertain.removeValue(forKey: sent.id) != nil
        if status == 200, !wasUncertain {
            problems.append("envelope \(sent.id) was new, but the bus answered 200 as for a resend")
        }
        if wasUncertain {
            if status == 200 { durableUnanswered += 1 } else { lostUnanswered += 1 }
        }
        do {
            let receipt = try BusReply.verify(body, certificate: busCertificate, type: BusSigner.receiptType).payload
            guard receipt["envelopeId"]?.stringValue == sent.id, case .integer(let first) = receipt["firstSequence"],
                case .integer(let last) = receipt["lastSequence"], last - first + 1 == Int64(sent.operations.count)
            else {
                problems.append("envelope \(sent.id): the receipt does not fit the envelope: \(receipt)")
                return
            }
            if let earlier = accepted[sent.id], earlier.first != first || earlier.last != last {
                problems.append("envelope \(sent.id) got sequences \(first)...\(last) after \(earlier.first)...\(earlier.last)")
            }
            accepted[sent.id] = Accepted(sent: sent, first: first, last: last)
        } catch {
            problems.append("envelope \(sent.id): the receipt does not verify: \(error)")
        }
    }

    /// Sends every uncertain envelope again, byte for byte: 200 if the bus had kept it, 201 if not.
    func resendUncertain(with client: PEMFileClient, busCertificate: Certificate) async {
        for sent in uncertain.values.sorted(by: { $0.id < $1.id }) {
            do {
                let reply = try await client.post("/v1/envelopes", body: sent.body, contentType: EnvelopeBuilder.mediaType)
                answered(sent, status: reply.status, body: reply.body, busCertificate: busCertificate)
            } catch {
                problems.append("envelope \(sent.id): resending failed: \(error)")
            }
        }
    }
}

/// One department system pushing envelopes of 1 to 5 upserts as fast as the bus answers, until a request fails.
struct CrashPusher: Sendable {
    let number: Int
    let client: PEMFileClient
    let builder: EnvelopeBuilder
    let busCertificate: Certificate
    let ledger: CrashLedger
    /// Keys are drawn from a small set, so records are overwritten and the current state has something to prove.
    static let keys = 40

    /// Signs with the provider's TLS key and certificate, as written by `dept add`.
    static func builder(_ ws: CLIWorkspace) throws -> EnvelopeBuilder {
        let directory = ws.departmentDirectory(CLIExchange.provider)
        let key = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOfFile: directory + "/key.pem", encoding: .utf8))
        let certificate = try Certificate(pemEncoded: String(contentsOfFile: directory + "/cert.pem", encoding: .utf8))
        return EnvelopeBuilder(signer: .p256(key), certificateDER: certificate.derBytes)
    }

    /// Pushes until the bus stops answering; returns how many envelopes it answered 201.
    @discardableResult
    func run(cycle: Int) async -> Int {
        var created = 0
        for count in 0... {
            let operations = (0..<Int.random(in: 1...5)).map { i in
                // Unique values: whichever upsert of a key came last is the one its current record must show.
                CLIExchange.upsert("key-\(Int.random(in: 0..<Self.keys))", Int64(cycle * 100_000_000 + number * 1_000_000 + count * 10 + i))
            }
            let id = UUID()
            guard
                let body = try? builder.envelope(
                    id: id, sender: CLIExchange.provider, resource: CLIExchange.resource, operations: operations)
            else { return created }
            let sent = SentEnvelope(id: id.uuidString.lowercased(), body: body, operations: operations)
            do {
                let reply = try await client.post("/v1/envelopes", body: body, contentType: EnvelopeBuilder.mediaType)
                await ledger.answered(sent, status: reply.status, body: reply.body, busCertificate: busCertificate)
                if reply.status == 201 { created += 1 }
            } catch {
                // The bus died with this one in flight, or before it was sent: it may or may not be there.
                await ledger.uncertain(sent)
                return created
            }
        }
        return created
    }
}
