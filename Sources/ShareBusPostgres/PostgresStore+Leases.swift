public import Foundation
import Logging
import PostgresNIO
public import ShareBusStore

/// Push leases: each push subscription is delivered by one node at a time. A claim is one
/// statement, so two nodes claiming together cannot both win: the row's conflict decides, and
/// the update only happens when the lease expired or the claimant already holds it.
extension PostgresStore {
    public func claimPushLeases(node: String, subscriptions: [String], ttl: Duration, now: Date) async throws -> Set<String> {
        guard !subscriptions.isEmpty else { return [] }
        let nowSeconds = now.timeIntervalSince1970
        let expires = nowSeconds + ttl.leaseSeconds
        // One order for every node, so that two claims never wait on each other's rows crosswise.
        let subscriptions = Array(Set(subscriptions)).sorted()
        let query: PostgresQuery = """
            INSERT INTO push_lease (subscription, node, expires_at)
            SELECT s, \(node), \(expires) FROM unnest(\(subscriptions)::text[]) WITH ORDINALITY AS u(s, n)
            ORDER BY n
            ON CONFLICT (subscription) DO UPDATE SET node = excluded.node, expires_at = excluded.expires_at
            WHERE push_lease.node = excluded.node OR push_lease.expires_at <= \(nowSeconds)
            RETURNING subscription
            """
        var held: Set<String> = []
        for row in try await rows(query) { held.insert(try row.decode(String.self)) }
        return held
    }

    public func releasePushLeases(node: String) async throws {
        _ = try await rows("DELETE FROM push_lease WHERE node = \(node) RETURNING subscription")
    }

    /// The node holding each leased subscription, whatever the expiry (for tests and operators).
    public func pushLeaseHolders() async throws -> [String: String] {
        var holders: [String: String] = [:]
        for row in try await rows("SELECT subscription, node FROM push_lease") {
            let (subscription, node) = try row.decode((String, String).self)
            holders[subscription] = node
        }
        return holders
    }
}
