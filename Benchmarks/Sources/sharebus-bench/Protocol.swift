import Crypto
import Foundation
import X509

/// The pieces of the wire protocol the workloads share: 1 KB records, messages, bus-signed replies,
/// subscriptions.
enum Wire {
    /// Ten text fields `f0`…`f9` of 88 characters, `id` (the key) and `sentAt` (µs since 1970,
    /// for end-to-end lag): about 1 KB of JSON per record.
    static let filler: [String] = (0..<10).map { i in
        String(repeating: String(UnicodeScalar(UInt8(ascii: "a") + UInt8(i))), count: 80) + "-bench-\(i)"
    }

    static func record(key: String, sentAt: Int64) -> String {
        var s = #"{"f0":""# + filler[0]
        for i in 1..<10 { s += #"","f\#(i)":""# + filler[i] }
        s += #"","id":""# + key + #"","sentAt":"# + String(sentAt) + "}"
        return s
    }

    /// A message (the envelope payload) of `count` upserts with keys `<prefix>-<i>`.
    static func message(sender: String, resource: String, keyPrefix: String, count: Int, sentAt: Int64) -> [UInt8] {
        var s = #"{"createdAt":""# + rfc3339(Date()) + #"","id":""# + UUID().uuidString.lowercased() + #"","operations":["#
        for i in 0..<count {
            if i > 0 { s += "," }
            s += #"{"op":"upsert","record":"# + record(key: "\(keyPrefix)-\(i)", sentAt: sentAt) + "}"
        }
        s += #"],"resource":""# + resource + #"","sender":""# + sender + #""}"#
        return Array(s.utf8)
    }

    static func rfc3339(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var t = time_t(seconds.rounded(.down))
        var tm = tm()
        gmtime_r(&t, &tm)
        let millis = Int((seconds - seconds.rounded(.down)) * 1000)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1, Int(tm.tm_mday), Int(tm.tm_hour),
            Int(tm.tm_min), Int(tm.tm_sec), min(999, max(0, millis)))
    }

    /// The payload of a JWS the bus signed (receipt, delivery), once its ES256 signature verifies.
    static func verifiedPayload(_ body: [UInt8], busKey: P256.Signing.PublicKey) throws -> [String: Any] {
        guard let jws = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: String],
            let protected = jws["protected"], let payload = jws["payload"], let signature = jws["signature"],
            let signatureBytes = Base64URL.decode(signature), let payloadBytes = Base64URL.decode(payload)
        else { throw BenchError("the bus's answer is not a flattened JWS: \(String(decoding: body.prefix(200), as: UTF8.self))") }
        let input = Array((protected + "." + payload).utf8)
        guard let raw = try? P256.Signing.ECDSASignature(rawRepresentation: signatureBytes), busKey.isValidSignature(raw, for: input) else {
            throw BenchError("the bus's signature does not verify")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(payloadBytes))) as? [String: Any] else {
            throw BenchError("the signed payload is not a JSON object")
        }
        return object
    }

    /// The bus signing key, from `GET /v1/pki/bus.pem`.
    static func busKey(_ client: BusHTTP) async throws -> P256.Signing.PublicKey {
        let reply = try await client.send(.GET, "/v1/pki/bus.pem").expect([200], "fetching /v1/pki/bus.pem")
        let certificate = try Certificate(pemEncoded: reply.text)
        guard let key = P256.Signing.PublicKey(certificate.publicKey) else { throw BenchError("the bus signing key is not P-256") }
        return key
    }

    /// Opens a subscription for `consumer` and returns its id; `unconditional` resources are active at once.
    /// `webhook` makes it a push subscription delivered to that URL.
    static func subscribe(
        _ client: BusHTTP, resource: String, fields: [String], permissions: [String], startNow: Bool, webhook: String? = nil
    ) async throws -> String {
        var body: [String: Any] = [
            "resource": resource, "fields": fields, "permissions": permissions, "purpose": "性能基准测试 (benchmark)",
            "basis": "sharebus benchmark suite", "delivery": webhook.map { ["mode": "push", "url": $0] } ?? ["mode": "pull"],
        ]
        if startNow { body["start"] = "now" }
        let reply = try await client.post("/v1/subscriptions", json: body).expect([201], "subscribing to \(resource)")
        guard let id = reply.json?["id"] as? String else { throw BenchError("the subscription answer has no id") }
        if let status = reply.json?["status"] as? String, status != "active" {
            throw BenchError("the subscription to \(resource) is \(status), not active")
        }
        return id
    }
}

/// A provider as the command line names it: `<credential folder>:<resource code>`.
struct ProviderSpec: Sendable {
    let credential: Credential
    let resource: String
    let signer: EnvelopeSigner

    init(_ text: String) throws {
        guard let colon = text.lastIndex(of: ":") else { throw BenchError("--provider takes DIR:RESOURCE, not \(text)") }
        credential = try Credential(directory: String(text[..<colon]))
        resource = String(text[text.index(after: colon)...])
        signer = try EnvelopeSigner(certificatePEM: credential.certificatePEM, keyPEM: credential.keyPEM)
    }
}
