import Foundation
import ShareBusCore
import ShareBusStore
import Testing

extension StoreContractTests {
    @Test("push leases: a node is granted what is free and keeps what it holds", arguments: StoreKind.allCases)
    func leasesGranted(kind: StoreKind) async throws {
        try await kind.withStore { store in
            #expect(try await store.claimPushLeases(node: "a", subscriptions: [], ttl: .seconds(10), now: Fixture.t0).isEmpty)
            let first = try await store.claimPushLeases(node: "a", subscriptions: ["s1", "s2"], ttl: .seconds(10), now: Fixture.t0)
            #expect(first == ["s1", "s2"])
            let renewed = try await store.claimPushLeases(node: "a", subscriptions: ["s1", "s2", "s3"], ttl: .seconds(10), now: Fixture.t0 + 9)
            #expect(renewed == ["s1", "s2", "s3"], "the holder renews, and a new subscription is free")
            let later = try await store.claimPushLeases(node: "a", subscriptions: ["s1"], ttl: .seconds(10), now: Fixture.t0 + 18)
            #expect(later == ["s1"], "a renewed lease runs from the renewal")
            try await store.releasePushLeases(node: "a")
            #expect(try await store.claimPushLeases(node: "a", subscriptions: ["s1"], ttl: .seconds(10), now: Fixture.t0 + 19) == ["s1"])
        }
    }

    @Test("push leases: one node at a time on a shared store, taken over on expiry or release", arguments: StoreKind.allCases)
    func leasesExclusive(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let ttl = Duration.seconds(10)
            #expect(try await store.claimPushLeases(node: "a", subscriptions: ["s1", "s2"], ttl: ttl, now: Fixture.t0) == ["s1", "s2"])
            let other = try await store.claimPushLeases(node: "b", subscriptions: ["s1", "s2", "s3"], ttl: ttl, now: Fixture.t0 + 5)
            switch kind {
            case .sqlite:
                // One process owns a SQLite store: every claim is granted.
                #expect(other == ["s1", "s2", "s3"])
                return
            case .postgres:
                #expect(other == ["s3"], "a live lease is not taken")
            }
            // a renews s1 only; s2 expires at t0 + 10.
            #expect(try await store.claimPushLeases(node: "a", subscriptions: ["s1"], ttl: ttl, now: Fixture.t0 + 8) == ["s1"])
            #expect(try await store.claimPushLeases(node: "b", subscriptions: ["s1", "s2"], ttl: ttl, now: Fixture.t0 + 9.5).isEmpty)
            let taken = try await store.claimPushLeases(node: "b", subscriptions: ["s1", "s2"], ttl: ttl, now: Fixture.t0 + 10)
            #expect(taken == ["s2"], "an expired lease goes to the next claimant; the renewed one stays")
            #expect(try await store.claimPushLeases(node: "a", subscriptions: ["s1", "s2"], ttl: ttl, now: Fixture.t0 + 11) == ["s1"])
            try await store.releasePushLeases(node: "a")
            let released = try await store.claimPushLeases(node: "b", subscriptions: ["s1", "s2", "s3"], ttl: ttl, now: Fixture.t0 + 12)
            #expect(released == ["s1", "s2", "s3"], "released leases are free at once")
            #expect(try await store.claimPushLeases(node: "a", subscriptions: ["s1", "s2", "s3"], ttl: ttl, now: Fixture.t0 + 12).isEmpty)
        }
    }

    @Test("push leases: nodes claiming together never share a subscription", arguments: [StoreKind.postgres])
    func leasesRace(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let subscriptions = (1...40).map { "s\($0)" }
            let grants = try await withThrowingTaskGroup(of: Set<String>.self) { group in
                for node in ["a", "b", "c", "d"] {
                    group.addTask { try await store.claimPushLeases(node: node, subscriptions: subscriptions.shuffled(), ttl: .seconds(10), now: Fixture.t0) }
                }
                return try await group.reduce(into: [Set<String>]()) { $0.append($1) }
            }
            #expect(grants.reduce(0) { $0 + $1.count } == subscriptions.count, "each subscription granted exactly once")
            #expect(grants.reduce(Set<String>()) { $0.union($1) } == Set(subscriptions))
        }
    }
}
