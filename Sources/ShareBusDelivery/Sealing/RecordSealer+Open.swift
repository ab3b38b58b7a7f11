public import ShareBusCore
public import ShareBusCrypto
public import ShareBusStore

extension RecordSealer {
    /// A stored record opened: the clear key it was sent under and its clear members.
    public struct Opened: Sendable {
        public var key: String
        /// Nil for a delete.
        public var record: [String: JSONValue]?
    }

    /// Opens the record text stored under `storedKey`. A record stored before sealing (no
    /// `"$sealed"` member) is answered as it is, under the key it is stored by.
    public func open(_ text: String?, storedKey: String, resource: Resource, isDelete: Bool = false) throws -> Opened {
        // A store may keep a delete's absent record as empty text.
        guard let text, !text.isEmpty else { return Opened(key: storedKey, record: nil) }
        guard let object = try StrictJSON.parse(Array(text.utf8)).objectValue else {
            throw ShareBusError(.internalError, "a stored record of \(resource.code) is not an object")
        }
        guard let names = object[Self.sealedMember]?.arrayValue else {
            return Opened(key: storedKey, record: isDelete ? nil : object)
        }
        do {
            var key = storedKey
            if let token = object[Self.keyMember]?.stringValue {
                guard let clear = try openValue(token, resource: resource.code, key: storedKey, member: Self.keyMember).stringValue else {
                    throw ShareBusError(.internalError, "a sealed key of \(resource.code) is not text")
                }
                key = clear
            }
            if isDelete { return Opened(key: key, record: nil) }
            var record = object
            for name in names.compactMap(\.stringValue) {
                guard let token = object[name]?.stringValue else { continue }
                record[name] = try openValue(token, resource: resource.code, key: storedKey, member: name)
            }
            if let token = object[Self.holderMember]?.stringValue {
                record[Self.holderField] = try openValue(token, resource: resource.code, key: storedKey, member: Self.holderField)
            }
            for name in record.keys where name.hasPrefix("$") { record[name] = nil }
            return Opened(key: key, record: record)
        } catch let error as SealingError {
            throw ShareBusError(.internalError, "a record of \(resource.code) cannot be opened: \(error.description)")
        }
    }

    func openValue(_ token: String, resource: String, key: String, member: String) throws -> JSONValue {
        let bytes = try keyring.open(token, aad: Self.aad(resource: resource, key: key, member: member))
        return try StrictJSON.parse(bytes)
    }

    /// A log entry as consumers receive it: the clear key and the clear record (canonical JSON).
    public func open(_ entry: LogEntry, resource: Resource) throws -> LogEntry {
        let opened = try open(
            entry.record, storedKey: entry.key, resource: resource, isDelete: entry.op == AcceptedEnvelope.Operation.Kind.delete.rawValue)
        var clear = entry
        clear.key = opened.key
        clear.record = try opened.record.map { try CanonicalJSON.string(.object($0)) }
        return clear
    }
}
