import Synchronization

/// A small cache whose entries hold while one `ChangeGenerations` counter stays where it was when
/// they were loaded. Without a generation source it loads on every call.
public final class GenerationCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        var generation: UInt64
        var value: Value
    }

    private let generations: ChangeGenerations?
    private let domain: ChangeGenerations.Domain
    private let capacity: Int
    private let entries = Mutex<[Key: Entry]>([:])

    /// - Parameter capacity: the most entries kept; when full, the cache starts over.
    public init(generations: ChangeGenerations?, domain: ChangeGenerations.Domain, capacity: Int = 4096) {
        self.generations = generations
        self.domain = domain
        self.capacity = capacity
    }

    /// The cached value for `key` if nothing of its domain changed since it was loaded, else `load()`'s.
    public func value(for key: Key, load: () async throws -> Value) async throws -> Value {
        guard let generations else { return try await load() }
        // Read before loading: a change committed during the load leaves the entry already stale.
        let generation = generations.current(domain)
        if let entry = entries.withLock({ $0[key] }), entry.generation == generation { return entry.value }
        let value = try await load()
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(generation: generation, value: value)
        }
        return value
    }
}
