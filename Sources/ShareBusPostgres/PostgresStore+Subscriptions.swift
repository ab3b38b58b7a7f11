public import Foundation
import Logging
import PostgresNIO
public import ShareBusCore
public import ShareBusStore

extension PostgresStore {
    public func createSubscription(_ subscription: Subscription, startAtHead: Bool, audit: AuditEvent) async throws {
        let body = try Self.encode(subscription)
        try await writeAudited(audit) { [logger] connection in
            try await connection.query(
                """
                INSERT INTO subscription (id, consumer, resource, status, cursor, delivered, start_at_head, body)
                VALUES (\(subscription.id), \(subscription.consumer), \(subscription.resource), \(subscription.status.rawValue),
                    \(subscription.cursor), \(subscription.cursor), \(startAtHead), \(body))
                """, logger: logger)
        }
    }

    public func subscriptionStartsAtHead(id: String) async throws -> Bool {
        try await rows("SELECT start_at_head FROM subscription WHERE id = \(id)").first?.decode(Bool.self) ?? false
    }

    public func subscription(id: String) async throws -> Subscription? {
        try await rows("SELECT body, cursor FROM subscription WHERE id = \(id)").first.map(Self.subscription)
    }

    public func subscriptions(_ filter: SubscriptionFilter) async throws -> [Subscription] {
        var sql = "SELECT body, cursor FROM subscription WHERE id > $1"
        var binds = Self.binds(filter.after ?? "")
        for (column, value) in [("consumer", filter.consumer), ("status", filter.status?.rawValue)] {
            guard let value else { continue }
            binds.append(value)
            sql += " AND \(column) = $\(binds.count)"
        }
        if let resources = filter.resources {
            guard !resources.isEmpty else { return [] }
            binds.append(resources)
            sql += " AND resource = ANY($\(binds.count)::text[])"
        }
        binds.append(Int64(filter.limit))
        sql += " ORDER BY id LIMIT $\(binds.count)"
        return try await rows(PostgresQuery(unsafeSQL: sql, binds: binds)).map(Self.subscription)
    }

    public func changeSubscription(
        id: String, audit: AuditEvent, _ change: @escaping @Sendable (Subscription) throws -> Subscription
    ) async throws -> Subscription {
        try await writeAudited(audit) { [logger] connection in
            guard let current = try await Self.lockedSubscription(id: id, on: connection, logger: logger)?.subscription else {
                throw ShareBusError(.subscriptionNotFound, "no subscription \(id)")
            }
            let changed = try change(current)
            try await connection.query(
                """
                UPDATE subscription SET status = \(changed.status.rawValue), cursor = \(changed.cursor),
                    delivered = GREATEST(delivered, \(changed.cursor)), body = \(try Self.encode(changed)) WHERE id = \(id)
                """, logger: logger)
            return changed
        }
    }

    public func recordDelivery(subscription: String, through: Int64, audit: AuditEvent) async throws {
        try await writeAudited(audit) { [logger] connection in
            try await connection.query(
                "UPDATE subscription SET delivered = GREATEST(delivered, \(through)) WHERE id = \(subscription)", logger: logger)
        }
    }

    public func acknowledge(subscription id: String, sequence: Int64, audit: AuditEvent) async throws -> Subscription {
        try await writeAudited(audit) { [logger] connection in
            guard let (stored, delivered) = try await Self.lockedSubscription(id: id, on: connection, logger: logger) else {
                throw ShareBusError(.subscriptionNotFound, "no subscription \(id)")
            }
            var subscription = stored
            guard sequence >= subscription.cursor else {
                throw ShareBusError(
                    .ackOutOfRange, "sequence \(sequence) is behind the cursor \(subscription.cursor): acknowledgements only move forward")
            }
            guard sequence <= delivered else {
                throw ShareBusError(
                    .ackOutOfRange, "sequence \(sequence) was never delivered to this subscription (delivered through \(delivered))")
            }
            subscription.cursor = sequence
            try await connection.query(
                "UPDATE subscription SET cursor = \(sequence), body = \(try Self.encode(subscription)) WHERE id = \(id)", logger: logger)
            return subscription
        }
    }

    /// The subscription and its `delivered` mark, row-locked until the transaction ends, so a
    /// change on another node waits and then sees this one.
    static func lockedSubscription(
        id: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> (subscription: Subscription, delivered: Int64)? {
        let rows = try await connection.query("SELECT body, cursor, delivered FROM subscription WHERE id = \(id) FOR UPDATE", logger: logger)
            .collect()
        guard let row = rows.first else { return nil }
        let (body, cursor, delivered) = try row.decode((String, Int64, Int64).self)
        return (try subscription(body: body, cursor: cursor), delivered)
    }

    /// The cursor column is the truth; the JSON body carries the rest. Reads `body, cursor` first.
    static func subscription(_ row: PostgresRow) throws -> Subscription {
        let cells = row.makeRandomAccess()
        return try subscription(body: cells[0].decode(String.self), cursor: cells[1].decode(Int64.self))
    }

    static func subscription(body: String, cursor: Int64) throws -> Subscription {
        var subscription = try JSONDecoder().decode(Subscription.self, from: Data(body.utf8))
        subscription.cursor = cursor
        return subscription
    }

    static func encode(_ subscription: Subscription) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(subscription), as: UTF8.self)
    }
}
