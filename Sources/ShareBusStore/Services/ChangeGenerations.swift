import Synchronization

/// Counters a store bumps after it committed a change, one per kind of data that callers cache.
///
/// A cache remembers the generation it read before loading a value and trusts the value only while
/// the generation is still the same. The store bumps a counter after the change's `COMMIT`
/// returned and before the writing request is answered, so the request after a revocation, a
/// suspension, a catalog change or a subscription change never gets the old value. Within one
/// process only: a second process writing the same store is not seen.
public final class ChangeGenerations: Sendable {
    public enum Domain: Sendable, CaseIterable {
        /// Certificates and departments (revocations, suspensions, new certificates).
        case identity
        /// Resource definitions (every catalog change).
        case catalog
        /// Subscriptions (requests, decisions, cursors moved by acknowledgements).
        case subscriptions
    }

    private let identity = Atomic<UInt64>(0)
    private let catalog = Atomic<UInt64>(0)
    private let subscriptions = Atomic<UInt64>(0)

    public init() {}

    public func current(_ domain: Domain) -> UInt64 {
        switch domain {
        case .identity: identity.load(ordering: .acquiring)
        case .catalog: catalog.load(ordering: .acquiring)
        case .subscriptions: subscriptions.load(ordering: .acquiring)
        }
    }

    public func bump(_ domain: Domain) {
        switch domain {
        case .identity: identity.add(1, ordering: .releasing)
        case .catalog: catalog.add(1, ordering: .releasing)
        case .subscriptions: subscriptions.add(1, ordering: .releasing)
        }
    }
}
