public import Crypto
import Foundation

/// The keys that protect record values at rest: AES-256-GCM data keys (one current, older ones kept
/// for reading) and the HMAC-SHA256 key of the keyed index that primary keys and holder ids are
/// found by. The key material lives outside the database (`DataKeyFolder`); the store sees only
/// tokens and digests.
public struct DataKeyring: Sendable {
    /// Size of every key, data or index: 256 bits.
    public static let keySize = 32
    /// The prefix of a sealed value: `sb1.<key id>.<base64url(nonce | ciphertext | tag)>`.
    public static let tokenPrefix = "sb1."

    /// Data keys by id; `currentID` seals new values.
    let dataKeys: [String: SymmetricKey]
    public let currentID: String
    let indexKey: SymmetricKey

    /// `dataKeys` by id (at least one), `current` among them, and the 32-byte index key.
    public init(dataKeys: [String: [UInt8]], current: String, indexKey: [UInt8]) throws {
        guard dataKeys[current] != nil else { throw SealingError.unknownKey(current) }
        for (id, bytes) in dataKeys where bytes.count != Self.keySize || !Self.isValidID(id) {
            throw SealingError.badKeyMaterial("data key \(id) is not a \(Self.keySize)-byte key with an id of letters and digits")
        }
        guard indexKey.count == Self.keySize else { throw SealingError.badKeyMaterial("the index key is not \(Self.keySize) bytes") }
        self.dataKeys = dataKeys.mapValues { SymmetricKey(data: $0) }
        self.currentID = current
        self.indexKey = SymmetricKey(data: indexKey)
    }

    /// A keyring held only in memory (tests, and a bus environment given none).
    public static func random() -> DataKeyring {
        // Both keys are generated here at the right size, so this cannot fail.
        try! DataKeyring(dataKeys: ["d1": randomKey()], current: "d1", indexKey: randomKey())
    }

    public static func randomKey() -> [UInt8] { SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) } }

    /// Key ids are short and plain so a token splits on `.` without doubt.
    public static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 16 && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) }
    }

    /// The ids of the data keys, in no particular order.
    public var keyIDs: [String] { Array(dataKeys.keys) }

    /// Encrypts `plaintext` under the current data key, authenticating `aad` with it.
    public func seal(_ plaintext: [UInt8], aad: [UInt8]) throws -> String {
        let box = try AES.GCM.seal(plaintext, using: dataKeys[currentID]!, authenticating: aad)
        // `combined` is nonce | ciphertext | tag; it is non-nil for the default 12-byte nonce.
        guard let combined = box.combined else { throw SealingError.badToken("no combined form") }
        return Self.tokenPrefix + currentID + "." + Base64URL.encode(combined)
    }

    /// Decrypts a token made by `seal` with the same `aad`; throws when the key is unknown, the token
    /// is malformed or it does not authenticate (changed, or moved to another row or field).
    public func open(_ token: String, aad: [UInt8]) throws -> [UInt8] {
        guard token.hasPrefix(Self.tokenPrefix) else { throw SealingError.badToken("no \(Self.tokenPrefix) prefix") }
        let parts = token.dropFirst(Self.tokenPrefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let bytes = Base64URL.decode(parts[1]) else { throw SealingError.badToken("not key id and data") }
        guard let key = dataKeys[String(parts[0])] else { throw SealingError.unknownKey(String(parts[0])) }
        do {
            return Array(try AES.GCM.open(try AES.GCM.SealedBox(combined: bytes), using: key, authenticating: aad))
        } catch {
            throw SealingError.badToken("it does not authenticate")
        }
    }

    /// Whether `text` has the form of a sealed value.
    public static func isToken(_ text: String) -> Bool { text.hasPrefix(tokenPrefix) }

    /// The key id a token was sealed under, or nil for text that is not a token.
    public static func keyID(of token: String) -> String? {
        guard isToken(token) else { return nil }
        return token.dropFirst(tokenPrefix.count).split(separator: ".").first.map(String.init)
    }

    /// The upper-case hex HMAC-SHA256 of `text` under the index key: the form a protected primary
    /// key or holder id is stored and looked up in.
    public func indexDigest(_ text: String) -> String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: indexKey)).uppercased()
    }
}

/// A keyring describes itself by its key ids only, so that logging a value that holds one (a service
/// lifecycle printing its services at debug level) can never print key material.
extension DataKeyring: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "DataKeyring(current: \(currentID), keys: \(dataKeys.keys.sorted()), material redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["currentID": currentID], displayStyle: .struct) }
}

/// Why a value could not be sealed or opened. Never carries the value.
public struct SealingError: Error, CustomStringConvertible {
    public let description: String

    public static func unknownKey(_ id: String) -> SealingError {
        SealingError(description: "no data key \(id) in the keyring: restore it from the backup of the key folder")
    }
    public static func badToken(_ why: String) -> SealingError { SealingError(description: "a sealed value cannot be opened: \(why)") }
    public static func badKeyMaterial(_ why: String) -> SealingError { SealingError(description: why) }
}
