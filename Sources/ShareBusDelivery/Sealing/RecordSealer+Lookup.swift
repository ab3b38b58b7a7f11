public import ShareBusCore
public import ShareBusStore

extension RecordSealer {
    /// A current record found by its holder, opened.
    public struct HeldClearRecord: Sendable {
        public var key: String
        public var record: [String: JSONValue]
        public var sequence: Int64
    }

    /// The current record of `resource` under the clear `key`, opened. A record stored before sealing
    /// is filed under its clear key, and is looked for there when the keyed digest finds nothing.
    public func currentRecord(in store: any ExchangeStore, resource: Resource, key: String) async throws -> [String: JSONValue]? {
        let stored = storedKey(key, resource: resource)
        if let text = try await store.currentRecord(resource: resource.code, key: stored) {
            return try open(text, storedKey: stored, resource: resource).record
        }
        guard stored != key, let text = try await store.currentRecord(resource: resource.code, key: key) else { return nil }
        return try open(text, storedKey: key, resource: resource).record
    }

    /// The current records of `resource` held by `holderId` (in its normal form), opened, at most
    /// `limit`. Records stored before sealing carry the clear id and are looked for by it too.
    public func heldRecords(
        in holders: any HolderRecordStore, resource: Resource, holderId: String, limit: Int
    ) async throws -> [HeldClearRecord] {
        let lookup = holderLookup(holderId, resource: resource)
        var found = try await holders.currentRecords(resource: resource.code, holderId: lookup, limit: limit)
        if lookup != holderId, found.count < limit {
            found += try await holders.currentRecords(resource: resource.code, holderId: holderId, limit: limit - found.count)
        }
        return try found.compactMap { held in
            let opened = try open(held.record, storedKey: held.key, resource: resource)
            return opened.record.map { HeldClearRecord(key: opened.key, record: $0, sequence: held.sequence) }
        }
    }
}
