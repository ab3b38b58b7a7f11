public import Foundation
public import ShareBusCore
public import ShareBusCrypto
public import ShareBusStore

/// Turns a validated record into the form the store keeps, and back: above the storage protocol, so
/// every store gets it and still sees a record as canonical JSON text and a key as text.
///
/// Sealed form (docs/architecture.md, "Encryption at rest"):
/// - every member of an L3 or L4 field becomes an AES-256-GCM token (`DataKeyring.seal`) whose
///   associated data binds the resource code, the stored key and the field name, so a token moved to
///   another row or field does not open;
/// - `"$sealed"` lists those members (its presence marks the record as sealed);
/// - when the primary key field is L3/L4 the store files the record under the keyed digest of the key
///   (`storedKey`), and `"$key"` carries the clear key sealed, which is how a delete still delivers it;
/// - when `holderId` is L3/L4 its member holds the keyed digest (upper-case hex, what the holder
///   index matches) and `"$holderId"` the clear id sealed.
/// Member names starting with `$` can never be fields (they match `[A-Za-z][A-Za-z0-9_]*`).
/// A record without `"$sealed"` was stored before sealing and is passed through unchanged.
public struct RecordSealer: Sendable {
    public let keyring: DataKeyring

    static let sealedMember = "$sealed"
    static let keyMember = "$key"
    static let holderMember = "$holderId"
    static let holderField = "holderId"

    public init(keyring: DataKeyring) { self.keyring = keyring }

    /// L3 (sensitive) and L4 (highly sensitive) values are sealed.
    public static func isProtected(_ field: Resource.Field) -> Bool { field.sensitivity >= .L3 }

    /// Whether the resource's records are filed under the keyed digest of their key.
    public func hashesKey(_ resource: Resource) -> Bool {
        resource.field(named: resource.primaryKey).map(Self.isProtected) ?? false
    }

    /// Whether the resource's `holderId` member is stored as its keyed digest.
    public func hashesHolder(_ resource: Resource) -> Bool {
        resource.field(named: Self.holderField).map(Self.isProtected) ?? false
    }

    /// The text the store files a record of `resource` under `key` by: the key itself, or the keyed
    /// digest of its normal form (ids upper-cased, so `...123x` and `...123X` are one record).
    public func storedKey(_ key: String, resource: Resource) -> String {
        guard hashesKey(resource) else { return key }
        switch resource.field(named: resource.primaryKey)?.type {
        case .citizenId, .creditCode: return keyring.indexDigest(key.uppercased())
        default: return keyring.indexDigest(key)
        }
    }

    /// What the holder index is searched for: `holderId` (already in its normal form) or its digest.
    public func holderLookup(_ holderId: String, resource: Resource) -> String {
        hashesHolder(resource) ? keyring.indexDigest(Self.normalHolder(holderId)) : holderId
    }

    /// Full-width forms folded, surrounding space trimmed, upper case: for a valid id the same as the
    /// verification service's normal form, and idempotent, so both sides digest the same text.
    static func normalHolder(_ id: String) -> String {
        id.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
    }

    static func aad(resource: String, key: String, member: String) -> [UInt8] {
        Array("sharebus.seal.v1\u{0}\(resource)\u{0}\(key)\u{0}\(member)".utf8)
    }

    /// The operation as the store should keep it.
    public func seal(_ operation: AcceptedEnvelope.Operation, resource: Resource) throws -> AcceptedEnvelope.Operation {
        let stored = storedKey(operation.key, resource: resource)
        let hashed = hashesKey(resource)
        var sealed: [String: JSONValue] = [:]
        if let text = operation.record {
            guard let record = try StrictJSON.parse(Array(text.utf8)).objectValue else {
                throw ShareBusError(.internalError, "a validated record is not an object")
            }
            sealed = try sealMembers(record, resource: resource, key: stored)
        } else if !hashed {
            return operation
        }
        if hashed {
            sealed[Self.keyMember] = .string(try sealValue(.string(operation.key), resource: resource.code, key: stored, member: Self.keyMember))
        }
        if sealed[Self.sealedMember] == nil { sealed[Self.sealedMember] = .array([]) }
        return .init(kind: operation.kind, key: stored, record: try CanonicalJSON.string(.object(sealed)))
    }

    func sealMembers(_ record: [String: JSONValue], resource: Resource, key: String) throws -> [String: JSONValue] {
        var out = record
        var names: [String] = []
        for field in resource.fields where Self.isProtected(field) {
            guard let value = record[field.name] else { continue }
            out[field.name] = .string(try sealValue(value, resource: resource.code, key: key, member: field.name))
            names.append(field.name)
        }
        if hashesHolder(resource), let holder = record[Self.holderField]?.stringValue, let token = out[Self.holderField] {
            out[Self.holderMember] = token
            out[Self.holderField] = .string(keyring.indexDigest(Self.normalHolder(holder)))
            names.removeAll { $0 == Self.holderField }
        }
        out[Self.sealedMember] = .array(names.sorted().map(JSONValue.string))
        return out
    }

    func sealValue(_ value: JSONValue, resource: String, key: String, member: String) throws -> String {
        try keyring.seal(try CanonicalJSON.serialize(value), aad: Self.aad(resource: resource, key: key, member: member))
    }
}
