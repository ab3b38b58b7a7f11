import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import ShareBusVerification
import Testing

@Suite("POST /v1/verify over HTTPS")
struct VerificationOnBothStores {
    typealias V = Verification

    /// A world where yc.psb has filed 张三 and yc.tax holds a verify grant of name and birthDate.
    static func populated(_ bus: TestBus) async throws -> V.World {
        let world = try await V.world(bus, resources: ["base.population"])
        try await world.file([V.person], to: "base.population", by: world.psb)
        try await world.subscribe(world.tax, to: "base.population", fields: ["name", "birthDate"], permissions: ["verify"])
        return world
    }

    @Test("match, mismatch and not-found, per field, normalised, with evidence and never a stored value", arguments: TestStore.allCases)
    func answers(store: TestStore) async throws {
        try await TestBus.run(store: store) { bus in
            let world = try await Self.populated(bus)
            // Trailing white space, a full-width space, a lower-case check character, an unpadded date: still the same person.
            let match = try await V.verify(
                world.tax, resource: "base.population", key: "11010519491231002x",
                claims: ["name": .string("张三\u{3000}"), "birthDate": .string("1949-12-31")], purpose: "办理个人所得税专项附加扣除")
            #expect(match.status == 200, "\(match.text)")
            #expect(match.header("content-type") == "application/json")
            #expect(match.header("cache-control") == "no-store")
            #expect(match.json?["result"] == .string("match"))
            #expect(match.json?["fields"] == .object(["name": .bool(true), "birthDate": .bool(true)]))
            #expect(Set(match.json?.objectValue?.keys.map { $0 } ?? []) == ["result", "fields", "evidence"])

            let evidence = try await V.evidence(match, bus: bus)
            #expect(evidence.caller == "urn:sharebus:dept:yc.tax")
            #expect(evidence.result == .object(["result": .string("match"), "fields": .object(["name": .bool(true), "birthDate": .bool(true)])]))
            let sent = try StrictJSON.parse(
                Array(
                    try JSONEncoder().encode(
                        JSONValue.object([
                            "resource": .string("base.population"), "key": .string("11010519491231002x"),
                            "claims": .object(["name": .string("张三\u{3000}"), "birthDate": .string("1949-12-31")]),
                            "purpose": .string("办理个人所得税专项附加扣除"),
                        ]))))
            #expect(evidence.requestSha256 == (try CanonicalJSON.sha256Hex(sent)), "over the canonical JSON of the request")

            let mismatch = try await V.verify(
                world.tax, resource: "base.population", key: V.personID, claims: ["name": .string("张三丰"), "birthDate": .string("1949-12-31")])
            #expect(mismatch.status == 200, "\(mismatch.text)")
            #expect(mismatch.json?["result"] == .string("mismatch"))
            #expect(mismatch.json?["fields"] == .object(["name": .bool(false), "birthDate": .bool(true)]))
            #expect(try await V.evidence(mismatch, bus: bus).result["result"] == .string("mismatch"))

            let nobody = Exchange.citizenID(77)
            let notFound = try await V.verify(world.tax, resource: "base.population", key: nobody, claims: ["name": .string("张三")])
            #expect(notFound.status == 200, "\(notFound.text)")
            #expect(notFound.json?["result"] == .string("not-found"))
            #expect(notFound.json?["fields"] == .object(["name": .bool(false)]))

            for reply in [match, mismatch, notFound] {
                let shown = V.visible(reply)
                #expect(!shown.contains("北京市朝阳区") && !shown.contains("男"), "no stored value of another field")
            }
            // The stored name never comes back to a wrong guess.
            #expect(!V.visible(mismatch).contains("\"张三\""))
        }
    }

    @Test("every refusal names its reason and changes nothing", arguments: TestStore.allCases)
    func refusals(store: TestStore) async throws {
        try await TestBus.run(store: store) { bus in
            let world = try await Self.populated(bus)
            let before = try await Exchange.Snapshot.take(bus, resources: ["base.population"])

            let notGranted = try await V.verify(
                world.tax, resource: "base.population", key: V.personID, claims: ["name": .string("张三"), "nativePlace": .string("北京")])
            #expect(notGranted.status == 403)
            #expect(notGranted.problemCode == "field-not-granted")
            #expect(notGranted.json?["detail"]?.stringValue?.contains("nativePlace") == true, "\(notGranted.text)")
            #expect(notGranted.json?["errors"]?.arrayValue?.first?["pointer"] == .string("/claims/nativePlace"))
            #expect(!notGranted.text.contains("北京市朝阳区"))

            let noPurpose = try await V.verify(world.tax, resource: "base.population", key: V.personID, claims: ["name": .string("张三")], purpose: nil)
            #expect(noPurpose.status == 422)
            #expect(noPurpose.problemCode == "invalid-verification")
            #expect(noPurpose.json?["errors"]?.arrayValue?.first?["pointer"] == .string("/purpose"))
            for purpose in ["", " \u{3000}", String(repeating: "查", count: 501)] {
                let bad = try await V.verify(
                    world.tax, resource: "base.population", key: V.personID, claims: ["name": .string("张三")], purpose: purpose)
                #expect(bad.status == 422, "purpose of \(purpose.count) characters: \(bad.text)")
                #expect(bad.problemCode == "invalid-verification")
            }
            let longest = try await V.verify(
                world.tax, resource: "base.population", key: V.personID, claims: ["name": .string("张三")], purpose: String(repeating: "查", count: 500))
            #expect(longest.status == 200, "500 characters are allowed: \(longest.text)")
            let afterLongest = try await Exchange.Snapshot.take(bus, resources: ["base.population"])

            let unknownField = try await V.verify(world.tax, resource: "base.population", key: V.personID, claims: ["shoeSize": .string("42")])
            #expect(unknownField.status == 422)
            #expect(unknownField.problemCode == "invalid-verification")
            let badKey = try await V.verify(world.tax, resource: "base.population", key: "110105194912310021", claims: ["name": .string("张三")])
            #expect(badKey.status == 422, "\(badKey.text)")
            #expect(badKey.json?["errors"]?.arrayValue?.first?["pointer"] == .string("/key"))
            let notJSON = try await world.tax.request(.POST, "/v1/verify", body: Array("{\"resource\": ".utf8))
            #expect(notJSON.status == 400)
            #expect(notJSON.problemCode == "malformed-request")
            let unknownResource = try await V.verify(world.tax, resource: "base.nothing", key: "1", claims: ["name": .string("张三")])
            #expect(unknownResource.status == 404)
            #expect(unknownResource.problemCode == "resource-not-found")

            // Without a verify grant: none at all, only query, or an operator.
            let none = try await V.verify(world.hrss, resource: "base.population", key: V.personID, claims: ["name": .string("张三")])
            #expect(none.status == 403)
            #expect(none.problemCode == "not-subscribed")
            try await world.subscribe(world.hrss, to: "base.population", fields: ["name"], permissions: ["query"])
            let queryOnly = try await V.verify(world.hrss, resource: "base.population", key: V.personID, claims: ["name": .string("张三")])
            #expect(queryOnly.status == 403)
            #expect(queryOnly.problemCode == "not-subscribed")
            let asOperator = try await V.verify(world.ops, resource: "base.population", key: V.personID, claims: ["name": .string("张三")])
            #expect(asOperator.status == 403)
            #expect(asOperator.problemCode == "not-subscribed")
            #expect(
                try await Exchange.Snapshot.take(bus, resources: ["base.population"]).auditIndex == (afterLongest.auditIndex ?? 0) + 2,
                "only the hrss subscription request and its approval were written")
            #expect(before.auditIndex != nil)

            // A suspended grant verifies nothing.
            let taxSubscription = try #require(
                try await world.tax.get("/v1/subscriptions").json?["subscriptions"]?.arrayValue?.first?["id"]?.stringValue)
            #expect(try await world.psb.post("/v1/subscriptions/\(taxSubscription)/suspend").status == 200)
            let suspended = try await V.verify(world.tax, resource: "base.population", key: V.personID, claims: ["name": .string("张三")])
            #expect(suspended.status == 409)
            #expect(suspended.problemCode == "subscription-not-active")
        }
    }

    @Test("guessing is throttled per key: 429 rate-limited with Retry-After, other keys still answered", arguments: TestStore.allCases)
    func throttled(store: TestStore) async throws {
        try await TestBus.run(store: store) { bus in
            let world = try await Self.populated(bus)
            let burst = Int(VerificationConfiguration().keyBurst)
            for guess in 0..<burst {
                let reply = try await V.verify(world.tax, resource: "base.population", key: V.personID, claims: ["name": .string("张\(guess)")])
                #expect(reply.status == 200, "guess \(guess): \(reply.text)")
            }
            let auditBefore = try await bus.store.auditHead()?.index
            let limited = try await V.verify(world.tax, resource: "base.population", key: V.personID, claims: ["name": .string("张三")])
            #expect(limited.status == 429, "\(limited.text)")
            #expect(limited.problemCode == "rate-limited")
            #expect(limited.header("content-type") == "application/problem+json")
            let retryAfter = try #require(limited.header("retry-after").flatMap(Int.init), "Retry-After in whole seconds")
            #expect((1...12).contains(retryAfter), "5 a minute: the next token within 12 s, got \(retryAfter)")
            #expect(!V.visible(limited).contains("true"), "a throttled answer says nothing of the guess")
            #expect(try await bus.store.auditHead()?.index == auditBefore, "a refused request writes nothing")

            let otherKey = try await V.verify(world.tax, resource: "base.population", key: Exchange.citizenID(5), claims: ["name": .string("张三")])
            #expect(otherKey.status == 200, "another key has its own bucket: \(otherKey.text)")
        }
    }

    @Test("the audit log records caller, purpose and result, never the claimed values or the key", arguments: TestStore.allCases)
    func audit(store: TestStore) async throws {
        try await TestBus.run(store: store) { bus in
            let world = try await Self.populated(bus)
            let purpose = "办理个人所得税专项附加扣除（子女教育）"
            for name in ["张三", "李四光"] {
                let reply = try await V.verify(
                    world.tax, resource: "base.population", key: V.personID, claims: ["name": .string(name), "birthDate": .string("1949-12-31")],
                    purpose: purpose)
                #expect(reply.status == 200)
            }
            let entries = try await Exchange.audit(world.ops, action: "verification.verify")
            #expect(entries.count == 2)
            let first = try #require(entries.first)
            #expect(first["actor"] == .string("dept:yc.tax"))
            #expect(first["target"] == .string("base.population"))
            #expect(first["details"]?["purpose"] == .string(purpose))
            #expect(entries.map { $0["details"]?["result"] } == [.string("match"), .string("mismatch")])
            #expect(first["details"]?["subject"]?.stringValue?.count == 64, "the holder by keyed digest")
            #expect(first["details"]?["evidenceSha256"]?.stringValue?.count == 64)

            let everything = try await V.auditText(bus)
            // The stored name is 张三 too: neither it, a wrong guess, the birth date nor the id appears in any entry.
            for value in ["张三", "李四光", "1949-12-31", V.personID, "11010519491231002", "19491231"] {
                #expect(!everything.contains(value), "\(value) is in the audit log")
            }
        }
    }
}
