public import Foundation

/// A SQLite store belongs to one process, so that process's node holds every push lease.
extension SQLiteStore {
    public func claimPushLeases(node: String, subscriptions: [String], ttl: Duration, now: Date) async throws -> Set<String> {
        Set(subscriptions)
    }

    public func releasePushLeases(node: String) async throws {}
}
