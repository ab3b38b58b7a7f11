import GRDB

/// Watches the writer connection and bumps `ChangeGenerations` after each commit that changed the
/// tables callers cache (certificates and departments, resource versions, subscriptions).
///
/// `@unchecked Sendable`: GRDB calls a transaction observer only on the connection it was added to,
/// the serial writer queue; `pending` is touched nowhere else.
final class ChangeGenerationObserver: TransactionObserver, @unchecked Sendable {
    private let generations: ChangeGenerations
    private var pending: Set<ChangeGenerations.Domain> = []

    init(generations: ChangeGenerations) {
        self.generations = generations
    }

    static func domain(table: String) -> ChangeGenerations.Domain? {
        switch table {
        case "certificate", "department": .identity
        case "resource_version": .catalog
        case "subscription": .subscriptions
        default: nil
        }
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        guard let domain = Self.domain(table: eventKind.tableName) else { return false }
        // A pull only raises `delivered`, which no cached view of a subscription shows.
        if domain == .subscriptions, case .update(_, let columns) = eventKind { return columns != ["delivered"] }
        return true
    }

    func databaseDidChange(with event: DatabaseEvent) {
        if let domain = Self.domain(table: event.tableName) { pending.insert(domain) }
    }

    func databaseDidCommit(_ db: Database) {
        for domain in pending { generations.bump(domain) }
        pending.removeAll()
    }

    func databaseDidRollback(_ db: Database) {
        pending.removeAll()
    }
}
