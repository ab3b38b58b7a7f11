import Foundation
import ShareBusCore
import ShareBusStore
import ShareBusTesting
import Testing

@Suite("Catalog over HTTPS")
struct CatalogAPITests {
    @Test("a steward drafts, edits, publishes, versions and retires a resource")
    func lifecycle() async throws {
        try await TestBus.run { bus in
            let steward = try await bus.department(Fixture.steward)
            _ = try await bus.department(Fixture.psb)
            let created = try await steward.post("/v1/resources", json: Fixture.resource())
            #expect(created.status == 201)
            #expect(created.header("location") == "/v1/resources/base.population")
            #expect(created.json?["status"]?.stringValue == "draft")
            #expect(created.json?["version"] == .integer(1))

            let edited = try await steward.put("/v1/resources/base.population", json: Fixture.resource(extraFields: [Fixture.field("gender")]))
            #expect(edited.status == 200)
            #expect(edited.json?["version"] == .integer(1))

            let published = try await steward.post("/v1/resources/base.population/publish")
            #expect(published.status == 200)
            #expect(published.json?["status"]?.stringValue == "published")

            // A second version adding an optional field is compatible.
            let v2 = try await steward.put(
                "/v1/resources/base.population", json: Fixture.resource(extraFields: [Fixture.field("gender"), Fixture.field("birthDate", type: "date")]))
            #expect(v2.json?["version"] == .integer(2))
            #expect(v2.json?["status"]?.stringValue == "draft")
            #expect(try await steward.post("/v1/resources/base.population/publish").status == 200)

            // A third removing a field is refused, and nothing changes.
            _ = try await steward.put("/v1/resources/base.population", json: Fixture.resource())
            let refused = try await steward.post("/v1/resources/base.population/publish")
            #expect(refused.status == 409)
            #expect(refused.problemCode == "incompatible-change")
            #expect(refused.json?["detail"]?.stringValue?.contains("gender") == true)

            let detail = try await steward.get("/v1/resources/base.population")
            #expect(detail.json?["version"] == .integer(2))
            #expect(detail.json?["status"]?.stringValue == "published")
            #expect(detail.json?["versions"]?.arrayValue?.count == 3)
            let v1 = try await steward.get("/v1/resources/base.population?version=1")
            #expect(v1.json?["fields"]?.arrayValue?.count == 3)

            let retired = try await steward.post("/v1/resources/base.population/retire")
            #expect(retired.status == 409, "the newest version is a draft")
        }
    }

    @Test("retiring a published resource; a retired resource takes no new draft")
    func retire() async throws {
        try await TestBus.run { bus in
            let steward = try await bus.department(Fixture.steward)
            _ = try await bus.department(Fixture.psb)
            _ = try await steward.post("/v1/resources", json: Fixture.resource())
            _ = try await steward.post("/v1/resources/base.population/publish")
            let retired = try await steward.post("/v1/resources/base.population/retire")
            #expect(retired.json?["status"]?.stringValue == "retired")
            let edit = try await steward.put("/v1/resources/base.population", json: Fixture.resource())
            #expect(edit.status == 409)
            #expect(edit.problemCode == "invalid-state")
        }
    }

    @Test("validation names every problem and stores nothing")
    func validation() async throws {
        try await TestBus.run { bus in
            let steward = try await bus.department(Fixture.steward)
            _ = try await bus.department(Fixture.psb)
            guard case .object(var bad) = Fixture.resource(provider: "yc.nobody") else { return }
            bad["category"] = .string("people")
            bad["primaryKey"] = .string("missing")
            bad["sharing"] = .object(["type": .string("sometimes")])
            bad["fields"] = .array([
                .object(["name": .string("idNumber"), "type": .string("passport"), "required": .bool(true), "sensitivity": .string("L5")])
            ])
            let head = try await bus.store.auditHead()
            let reply = try await steward.post("/v1/resources", json: .object(bad))
            #expect(reply.status == 422)
            #expect(reply.problemCode == "invalid-resource")
            let pointers = Set(reply.json?["errors"]?.arrayValue?.compactMap { $0["pointer"]?.stringValue } ?? [])
            for pointer in ["/category", "/primaryKey", "/sharing/type", "/fields/0/type", "/fields/0/sensitivity"] {
                #expect(pointers.contains(pointer), "missing \(pointer) in \(pointers)")
            }
            #expect(try await bus.store.resourceVersions(code: "base.population").isEmpty)
            #expect(try await bus.store.auditHead() == head)

            let unknownProvider = try await steward.post("/v1/resources", json: Fixture.resource(provider: "yc.nobody"))
            #expect(unknownProvider.status == 422)
            #expect(unknownProvider.text.contains("/provider"))
        }
    }

    @Test("only stewards change the catalog; anyone authenticated reads it, with filters")
    func roles() async throws {
        try await TestBus.run { bus in
            let steward = try await bus.department(Fixture.steward)
            let psb = try await bus.department(Fixture.psb)
            let denied = try await psb.post("/v1/resources", json: Fixture.resource())
            #expect(denied.status == 403)
            #expect(denied.problemCode == "forbidden")
            #expect(try await steward.post("/v1/resources", json: Fixture.resource()).status == 201)
            let duplicate = try await steward.post("/v1/resources", json: Fixture.resource())
            #expect(duplicate.status == 409)
            #expect(duplicate.problemCode == "already-exists")
            _ = try await steward.post("/v1/resources", json: Fixture.resource(code: "base.other"))
            _ = try await steward.post("/v1/resources/base.other/publish")

            #expect(try await psb.get("/v1/resources").json?["resources"]?.arrayValue?.count == 2)
            #expect(try await psb.get("/v1/resources?status=published").json?["resources"]?.arrayValue?.count == 1)
            #expect(try await psb.get("/v1/resources?category=legal-person").json?["resources"]?.arrayValue?.count == 0)
            #expect(try await psb.get("/v1/resources?provider=yc.psb&text=other").json?["resources"]?.arrayValue?.count == 1)
            #expect(try await psb.get("/v1/resources?category=nonsense").problemCode == "invalid-parameter")
            #expect(try await psb.get("/v1/resources/base.unknown").problemCode == "resource-not-found")
        }
    }
}
