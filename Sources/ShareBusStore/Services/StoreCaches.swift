public import ShareBusCore

/// What requests re-read on every call and the store rarely changes, cached in memory and
/// invalidated exactly through `ChangeGenerations`: resource definitions and subscriptions. The
/// certificate and department behind a client certificate are read on every request instead
/// (`ShareBusStore.identity(fingerprint:)`): the CLI revokes and suspends from another process,
/// which this process sees only at its next look at the file; `identities` stays unused until the
/// CLI can tell the running bus.
public final class StoreCaches: Sendable {
    /// The certificate record with `fingerprint`, and its department when it names one.
    public struct Identity: Sendable {
        public var certificate: CertificateRecord?
        public var department: Department?
        public init(certificate: CertificateRecord?, department: Department?) {
            self.certificate = certificate
            self.department = department
        }
    }

    public let generations: ChangeGenerations
    /// Every version of a resource by code (`resourceVersions`).
    public let resourceVersions: GenerationCache<String, [Resource]>
    /// A subscription by id.
    public let subscriptions: GenerationCache<String, Subscription?>
    /// A consumer's subscriptions to one resource, keyed `consumer \0 resource`.
    public let consumerSubscriptions: GenerationCache<String, [Subscription]>
    /// Certificate and department by certificate fingerprint.
    public let identities: GenerationCache<String, Identity>

    public init(generations: ChangeGenerations = ChangeGenerations()) {
        self.generations = generations
        resourceVersions = GenerationCache(generations: generations, domain: .catalog)
        subscriptions = GenerationCache(generations: generations, domain: .subscriptions)
        consumerSubscriptions = GenerationCache(generations: generations, domain: .subscriptions)
        identities = GenerationCache(generations: generations, domain: .identity)
    }
}

/// A store that bumps `caches.generations` after every committed change (its own at once, another
/// process's within the store's watch interval), so that what it returns may be cached; nil when
/// caching is off. Stores that do not conform, or answer nil, are read on every request.
public protocol CachedStore: Sendable {
    var caches: StoreCaches? { get }
}

extension CatalogService {
    /// Every stored version of a resource (oldest first), from the cache when the store keeps one.
    public static func resourceVersions(code: String, in store: any ShareBusStore) async throws -> [Resource] {
        guard let caches = (store as? any CachedStore)?.caches else { return try await store.resourceVersions(code: code) }
        return try await caches.resourceVersions.value(for: code) { try await store.resourceVersions(code: code) }
    }

    /// This service's store's versions of a resource, cached as `resourceVersions(code:in:)` says.
    public func resourceVersions(code: String) async throws -> [Resource] {
        try await Self.resourceVersions(code: code, in: store)
    }
}
