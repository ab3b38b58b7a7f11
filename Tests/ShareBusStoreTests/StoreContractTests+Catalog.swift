import Foundation
import ShareBusCore
import ShareBusStore
import Testing

extension StoreContractTests {
    @Test("catalog: the rule sees the versions, inserts, replaces the newest, leaves unchanged or refuses", arguments: StoreKind.allCases)
    func catalogChanges(kind: StoreKind) async throws {
        try await kind.withStore { store in
            #expect(try await store.resourceVersions(code: "r.a").isEmpty)
            let inserted = try await store.changeResource(code: "r.a", audit: Fixture.audit("resource.create")) { versions in
                #expect(versions.isEmpty)
                return .insert(Fixture.resource("r.a"))
            }
            #expect(inserted == Fixture.resource("r.a"))
            _ = try await store.changeResource(code: "r.a", audit: Fixture.audit("resource.publish")) { versions in
                #expect(versions.map(\.status) == [.draft])
                return .replaceLatest(Fixture.resource("r.a", status: .published))
            }
            _ = try await store.changeResource(code: "r.a", audit: Fixture.audit("resource.version")) { versions in
                .insert(Fixture.resource("r.a", version: versions.count + 1, description: "second"))
            }
            let unchanged = try await store.changeResource(code: "r.a", audit: Fixture.audit("resource.import")) { versions in
                .unchanged(try #require(versions.last))
            }
            #expect(unchanged.version == 2)
            let refused = await #expect(throws: ShareBusError.self) {
                try await store.changeResource(code: "r.a", audit: Fixture.audit("resource.update")) { _ in
                    throw ShareBusError.invalidState("not a draft")
                }
            }
            #expect(refused?.code == .invalidState)
            let versions = try await store.resourceVersions(code: "r.a")
            #expect(versions.map(\.version) == [1, 2] && versions.map(\.status) == [.published, .draft])
            #expect(versions[1].description == "second")
            // Only the writes that changed something are in the chain.
            #expect(try await Fixture.verifiedChain(store).map(\.action) == ["resource.create", "resource.publish", "resource.version"])
        }
    }

    @Test("catalog: the newest matching version of each code, filtered, searched and paged", arguments: StoreKind.allCases)
    func catalogQueries(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let resources = [
                Fixture.resource("geo.b", status: .published, provider: "p2", category: .geographic, description: "Parcels"),
                Fixture.resource("pop.a", status: .published, description: "Residents"),
                Fixture.resource("pop.c"),
                Fixture.resource("Pop.Z", status: .published),
            ]
            for resource in resources {
                _ = try await store.changeResource(code: resource.code, audit: Fixture.audit("resource.create")) { _ in .insert(resource) }
            }
            _ = try await store.changeResource(code: "pop.a", audit: Fixture.audit("resource.version")) { _ in
                .insert(Fixture.resource("pop.a", version: 2, description: "Residents v2"))
            }
            // Bytewise order: upper case first.
            #expect(try await store.resources(ResourceFilter()).map(\.code) == ["Pop.Z", "geo.b", "pop.a", "pop.c"])
            #expect(try await store.resources(ResourceFilter()).first { $0.code == "pop.a" }?.version == 2)
            // The filter picks among versions: the newest published one of pop.a is version 1.
            let published = try await store.resources(ResourceFilter(status: .published))
            #expect(published.map(\.code) == ["Pop.Z", "geo.b", "pop.a"] && published[2].version == 1)
            #expect(try await store.resources(ResourceFilter(category: .geographic)).map(\.code) == ["geo.b"])
            #expect(try await store.resources(ResourceFilter(provider: "p2")).map(\.code) == ["geo.b"])
            #expect(try await store.resources(ResourceFilter(text: "RESIDENTS")).map(\.code) == ["pop.a"])
            #expect(try await store.resources(ResourceFilter(text: "pop")).map(\.code) == ["Pop.Z", "pop.a", "pop.c"])
            #expect(try await store.resources(ResourceFilter(limit: 2, after: "geo.b")).map(\.code) == ["pop.a", "pop.c"])
        }
    }
}
