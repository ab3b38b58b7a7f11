public import Foundation
import GRDB
public import ShareBusCore

extension SQLiteStore {
    public func createSubscription(_ subscription: Subscription, startAtHead: Bool, audit: AuditEvent) async throws {
        try await writeAudited(audit) { db in
            try db.execute(
                sql: """
                    INSERT INTO subscription (id, consumer, resource, status, cursor, delivered, start_at_head, body)
                    VALUES (?,?,?,?,?,?,?,?)
                    """,
                arguments: [
                    subscription.id, subscription.consumer, subscription.resource, subscription.status.rawValue, subscription.cursor,
                    subscription.cursor, startAtHead, try Self.encode(subscription),
                ])
        }
    }

    public func subscriptionStartsAtHead(id: String) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT start_at_head FROM subscription WHERE id = ?", arguments: [id]) ?? false
        }
    }

    public func subscription(id: String) async throws -> Subscription? {
        try await pool.read { db in try Self.subscription(id: id, in: db) }
    }

    public func subscriptions(_ filter: SubscriptionFilter) async throws -> [Subscription] {
        try await pool.read { db in
            var sql = "SELECT body, cursor FROM subscription WHERE id > ?"
            var arguments: StatementArguments = [filter.after ?? ""]
            if let consumer = filter.consumer {
                sql += " AND consumer = ?"
                _ = arguments.append(contentsOf: [consumer])
            }
            if let status = filter.status {
                sql += " AND status = ?"
                _ = arguments.append(contentsOf: [status.rawValue])
            }
            if let resources = filter.resources {
                guard !resources.isEmpty else { return [] }
                sql += " AND resource IN (\(resources.map { _ in "?" }.joined(separator: ",")))"
                _ = arguments.append(contentsOf: StatementArguments(resources))
            }
            sql += " ORDER BY id LIMIT ?"
            _ = arguments.append(contentsOf: [filter.limit])
            return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map(Self.subscription)
        }
    }

    public func changeSubscription(
        id: String, audit: AuditEvent, _ change: @escaping @Sendable (Subscription) throws -> Subscription
    ) async throws -> Subscription {
        try await writeAudited(audit) { db in
            guard let current = try Self.subscription(id: id, in: db) else {
                throw ShareBusError(.subscriptionNotFound, "no subscription \(id)")
            }
            let changed = try change(current)
            try db.execute(
                sql: "UPDATE subscription SET status = ?, cursor = ?, delivered = MAX(delivered, ?), body = ? WHERE id = ?",
                arguments: [changed.status.rawValue, changed.cursor, changed.cursor, try Self.encode(changed), id])
            return changed
        }
    }

    public func recordDelivery(subscription: String, through: Int64, audit: AuditEvent) async throws {
        try await writeAudited(audit) { db in
            try db.execute(
                sql: "UPDATE subscription SET delivered = MAX(delivered, ?) WHERE id = ?", arguments: [through, subscription])
        }
    }

    public func acknowledge(subscription id: String, sequence: Int64, audit: AuditEvent) async throws -> Subscription {
        try await writeAudited(audit) { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT body, cursor, delivered FROM subscription WHERE id = ?", arguments: [id])
            else { throw ShareBusError(.subscriptionNotFound, "no subscription \(id)") }
            var subscription = try Self.subscription(row)
            let delivered: Int64 = row["delivered"]
            guard sequence >= subscription.cursor else {
                throw ShareBusError(
                    .ackOutOfRange, "sequence \(sequence) is behind the cursor \(subscription.cursor): acknowledgements only move forward")
            }
            guard sequence <= delivered else {
                throw ShareBusError(
                    .ackOutOfRange, "sequence \(sequence) was never delivered to this subscription (delivered through \(delivered))")
            }
            subscription.cursor = sequence
            try db.execute(
                sql: "UPDATE subscription SET cursor = ?, body = ? WHERE id = ?", arguments: [sequence, try Self.encode(subscription), id])
            return subscription
        }
    }

    static func subscription(id: String, in db: Database) throws -> Subscription? {
        try Row.fetchOne(db, sql: "SELECT body, cursor FROM subscription WHERE id = ?", arguments: [id]).map(subscription)
    }

    /// The cursor column is the truth; the JSON body carries the rest.
    static func subscription(_ row: Row) throws -> Subscription {
        let body: String = row["body"]
        var subscription = try JSONDecoder().decode(Subscription.self, from: Data(body.utf8))
        subscription.cursor = row["cursor"]
        return subscription
    }

    static func encode(_ subscription: Subscription) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(subscription), as: UTF8.self)
    }
}
