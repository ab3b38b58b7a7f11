import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import Testing

@Suite("Exchange audit over HTTPS")
struct ExchangeAuditOnBothStores {
    /// Every string anywhere inside `value`.
    static func strings(_ value: JSONValue) -> [String] {
        switch value {
        case .string(let s): [s]
        case .array(let items): items.flatMap(strings)
        case .object(let members): members.keys.map { $0 } + members.values.flatMap(strings)
        default: []
        }
    }

    @Test("every exchange action leaves one chained entry, and no entry holds a record value", arguments: TestStore.allCases)
    func auditTrail(store: TestStore) async throws {
        try await TestBus.run(store: store) { bus in
            let household = "base.household"
            let world = try await Exchange.world(bus, publishing: [Exchange.resource(), Exchange.resource(code: household, sharing: "conditional")])
            let tax = try await bus.department(Fixture.tax)
            let civil = try await bus.department(Exchange.civil)
            let health = try await bus.department(Exchange.health)

            // Requests and decisions.
            let taxID = try await Exchange.activeSubscription(tax, fields: ["name", "address"], permissions: ["pull", "query"])
            let civilID = try #require(try await Exchange.subscribe(civil, fields: ["name"], code: household).json?["id"]?.stringValue)
            let healthID = try #require(try await Exchange.subscribe(health, fields: ["name"], code: household).json?["id"]?.stringValue)
            #expect(try await world.provider.post("/v1/subscriptions/\(civilID)/approve").status == 200)
            #expect(try await world.provider.post("/v1/subscriptions/\(healthID)/reject", json: .object(["reason": .string("无依据")])).status == 200)

            // Pushes (and one refused push), a pull, an acknowledgement, two queries.
            let person = Exchange.record(7, name: Exchange.distinctiveName)
            try await world.push([EnvelopeBuilder.upsert(person), EnvelopeBuilder.upsert(Exchange.record(8))])
            try await world.push([EnvelopeBuilder.delete(Exchange.citizenID(8))])
            let refused = try await world.provider.push(try EnvelopeBuilder.tamperingSignature(try world.envelope([EnvelopeBuilder.upsert(person)])))
            #expect(refused.problemCode == "bad-signature")
            let pulled = try await Exchange.pull(tax, taxID, bus: bus)
            #expect(Exchange.messages(pulled).first?["record"]?["name"]?.stringValue == Exchange.distinctiveName, "the value did travel")
            #expect(try await Exchange.ack(tax, taxID, 3).status == 200)
            #expect(try await tax.get("/v1/resources/\(Exchange.code)/records/\(Exchange.citizenID(7))").status == 200)
            #expect(try await tax.get("/v1/resources/\(Exchange.code)/records/\(Exchange.citizenID(8))").status == 404)

            // Management.
            #expect(try await world.provider.post("/v1/subscriptions/\(taxID)/suspend").status == 200)
            #expect(try await world.ops.post("/v1/subscriptions/\(taxID)/resume").status == 200)
            #expect(try await world.provider.post("/v1/subscriptions/\(taxID)/revoke").status == 200)

            let expected: [(action: String, count: Int, actors: Set<String>, targets: Set<String>)] = [
                ("subscription.request", 3, ["dept:yc.tax", "dept:yc.civil", "dept:yc.health"], [taxID, civilID, healthID]),
                ("subscription.approve", 1, ["dept:yc.psb"], [civilID]),
                ("subscription.reject", 1, ["dept:yc.psb"], [healthID]),
                ("envelope.accept", 2, ["dept:yc.psb"], [Exchange.code]),
                ("subscription.pull", 1, ["dept:yc.tax"], [taxID]),
                ("subscription.ack", 1, ["dept:yc.tax"], [taxID]),
                ("record.query", 2, ["dept:yc.tax"], [Exchange.code]),
                ("subscription.suspend", 1, ["dept:yc.psb"], [taxID]),
                ("subscription.resume", 1, ["operator:ops"], [taxID]),
                ("subscription.revoke", 1, ["dept:yc.psb"], [taxID]),
            ]
            for item in expected {
                let entries = try await Exchange.audit(world.ops, action: item.action)
                #expect(entries.count == item.count, "\(item.action): \(entries)")
                #expect(entries.allSatisfy { $0["action"]?.stringValue == item.action })
                #expect(Set(entries.compactMap { $0["actor"]?.stringValue }) == item.actors, "\(item.action)")
                #expect(Set(entries.compactMap { $0["target"]?.stringValue }) == item.targets, "\(item.action)")
            }
            let acks = try await Exchange.audit(world.ops, action: "subscription.ack")
            #expect(acks.first?["details"]?["sequence"] == .integer(3))
            let byTax = try await world.ops.get("/v1/audit?limit=1000&actor=dept:yc.tax").json?["entries"]?.arrayValue ?? []
            #expect(!byTax.isEmpty && byTax.allSatisfy { $0["actor"]?.stringValue == "dept:yc.tax" })

            // One chain: index order from 1, each entry names its predecessor's hash, and each hash
            // is the SHA-256 of the entry's canonical JSON without it.
            let all = try await Exchange.audit(world.ops)
            #expect(all.count > 20)
            var previous = String(repeating: "0", count: 64)
            for (offset, entry) in all.enumerated() {
                #expect(entry["index"] == .integer(Int64(offset + 1)))
                #expect(entry["prevHash"]?.stringValue == previous, "entry \(offset + 1)")
                guard case .object(var members) = entry, let hash = members.removeValue(forKey: "hash")?.stringValue else {
                    Issue.record("entry \(offset + 1) has no hash")
                    break
                }
                #expect(try CanonicalJSON.sha256Hex(.object(members)) == hash, "entry \(offset + 1)")
                previous = hash
            }

            // Who did what, never the values: no name, address or citizen id anywhere.
            let personal = [Exchange.distinctiveName, person["address"]!.stringValue!, Exchange.citizenID(7), Exchange.citizenID(8)]
            let text = try await world.ops.get("/v1/audit?limit=1000").text
            let found = all.flatMap(Self.strings)
            for value in personal {
                #expect(!text.contains(value), "\(value) in the audit log")
                #expect(!found.contains { $0.contains(value) }, "\(value) in the audit log")
            }

            // Departments do not read the audit log.
            let denied = try await tax.get("/v1/audit")
            #expect(denied.status == 403)
        }
    }
}
