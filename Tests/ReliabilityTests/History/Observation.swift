import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore
import ShareBusTesting
import X509

/// Reading what subscribers received and what the store holds, for a `History`.
enum Observation {
    /// Subscribes the consumer to the resource for pull delivery from sequence 1; answers the subscription id.
    static func subscribePull(_ consumer: PEMFileClient) async throws -> String {
        try await subscribe(consumer, permission: "pull", delivery: .object(["mode": .string("pull")]))
    }

    /// Subscribes the consumer for push delivery to `url`; answers the subscription id.
    static func subscribePush(_ consumer: PEMFileClient, url: String) async throws -> String {
        try await subscribe(consumer, permission: "push", delivery: .object(["mode": .string("push"), "url": .string(url)]))
    }

    private static func subscribe(_ consumer: PEMFileClient, permission: String, delivery: JSONValue) async throws -> String {
        let reply = try await consumer.post(
            "/v1/subscriptions",
            json: .object([
                "resource": .string(Workspace.resource), "fields": .array([.string("value")]), "permissions": .array([.string(permission)]),
                "purpose": .string("故障测试"), "delivery": delivery,
            ]))
        guard reply.status == 201, reply.json?["status"]?.stringValue == "active", let id = reply.json?["id"]?.stringValue else {
            throw ReliabilityFailure("subscribe (\(permission)): \(reply.status) \(reply.text)")
        }
        return id
    }

    /// The messages of a verified delivery payload (pulled or pushed).
    static func messages(_ payload: JSONValue) throws -> [History.Message] {
        guard let messages = payload["messages"]?.arrayValue else { throw ReliabilityFailure("a delivery without messages: \(payload)") }
        return try messages.map { message in
            guard case .integer(let sequence) = message["sequence"], let envelopeId = message["envelopeId"]?.stringValue else {
                throw ReliabilityFailure("a message without sequence or envelopeId: \(message)")
            }
            return History.Message(sequence: sequence, envelopeId: envelopeId, record: message["record"])
        }
    }

    /// Pulls one page (no waiting) and, when `ack`, acknowledges it; answers its messages (empty at the end of the log).
    /// `received` is told of the page before it is acknowledged, as a consumer processes before it acks: the bus
    /// may commit the acknowledgement and die before answering it.
    static func pullPage(
        _ consumer: PEMFileClient, subscription: String, busCertificate: Certificate, limit: Int = 1000, ack: Bool = true,
        received: ([History.Message]) -> Void = { _ in }
    ) async throws -> [History.Message] {
        let reply = try await consumer.get("/v1/subscriptions/\(subscription)/messages?limit=\(limit)&wait=0")
        guard reply.status == 200 else { throw ReliabilityFailure("pull: \(reply.status) \(reply.text)") }
        let payload = try BusReply.verify(reply.body, certificate: busCertificate, type: BusSigner.deliveryType).payload
        let page = try messages(payload)
        received(page)
        if ack, !page.isEmpty {
            let ack = try await consumer.post("/v1/subscriptions/\(subscription)/ack", json: .object(["sequence": payload["nextCursor"] ?? .null]))
            guard ack.status == 200 else { throw ReliabilityFailure("ack: \(ack.status) \(ack.text)") }
        }
        return page
    }

    /// Pulls and acknowledges until nothing is left.
    static func pullToEnd(_ consumer: PEMFileClient, subscription: String, busCertificate: Certificate, timeout: Duration = .seconds(60))
        async throws -> [History.Message]
    {
        let deadline = ContinuousClock.now + timeout
        var received: [History.Message] = []
        while ContinuousClock.now < deadline {
            let page = try await pullPage(consumer, subscription: subscription, busCertificate: busCertificate)
            if page.isEmpty { return received }
            received += page
        }
        throw ReliabilityFailure("the log was not read to its end within \(timeout)")
    }

    /// The log of the resource and its current records, read from the SQLite file (the bus stopped).
    static func stored(in directory: String, into history: inout History) async throws {
        let store = try SQLiteStore(directory: directory)
        var after: Int64 = 0
        var rows: [History.LogRow] = []
        while true {
            let page = try await store.log(resource: Workspace.resource, after: after, limit: 5000)
            guard let last = page.last else { break }
            rows += try page.map { entry in
                History.LogRow(
                    sequence: entry.sequence, envelopeId: entry.envelopeId, key: entry.key,
                    record: try entry.record.map { clear(try StrictJSON.parse(Array($0.utf8))) })
            }
            after = last.sequence
        }
        history.log = rows
        var current: [String: JSONValue] = [:]
        for key in Set(rows.map(\.key)) {
            if let text = try await store.currentRecord(resource: Workspace.resource, key: key) {
                current[key] = clear(try StrictJSON.parse(Array(text.utf8)))
            }
        }
        history.current = current
    }

    /// A stored record as a subscriber sees it: the resource has no L3/L4 field, so its stored form only adds an
    /// empty `"$sealed"` list; a record with anything sealed is left as stored (and will not match what was sent).
    static func clear(_ record: JSONValue) -> JSONValue {
        guard case .object(var members) = record, members["$sealed"] == .array([]) else { return record }
        members = members.filter { !$0.key.hasPrefix("$") }
        return .object(members)
    }
}
