import Foundation

/// The keyring on disk, outside the database (by default `Certs/bus/data-keys/`, mode 0700):
///
/// ```
/// index.key        32 bytes: the HMAC-SHA256 key of the keyed index (never rotated)
/// d1.key, d2.key   32 bytes each: AES-256-GCM data keys; the highest number is current
/// ```
///
/// Every file is created with mode 0600 and O_EXCL: a key file is never overwritten, so a rotation
/// cannot lose a key that rows are still sealed under.
public struct DataKeyFolder: Sendable {
    public let path: String
    public static let indexKeyFile = "index.key"

    public init(path: String) { self.path = path }

    /// Whether the folder holds a keyring (its index key).
    public var exists: Bool { FileManager.default.fileExists(atPath: file(Self.indexKeyFile)) }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// The numbers of the data keys on disk, ascending.
    public func dataKeyNumbers() throws -> [Int] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw SealingError.badKeyMaterial("cannot read the key folder \(path): \(error.localizedDescription)")
        }
        return names.compactMap { name -> Int? in
            guard name.hasPrefix("d"), name.hasSuffix(".key") else { return nil }
            return Int(name.dropFirst().dropLast(4)).flatMap { $0 > 0 ? $0 : nil }
        }.sorted()
    }

    /// Reads the keyring; throws a message naming the folder when it is missing or damaged.
    public func load() throws -> DataKeyring {
        guard exists else { throw SealingError.badKeyMaterial("no data keys in \(path)") }
        let numbers = try dataKeyNumbers()
        guard let current = numbers.last else { throw SealingError.badKeyMaterial("no data key (d1.key, ...) in \(path)") }
        var keys: [String: [UInt8]] = [:]
        for number in numbers { keys["d\(number)"] = try read("d\(number).key") }
        return try DataKeyring(dataKeys: keys, current: "d\(current)", indexKey: try read(Self.indexKeyFile))
    }

    /// Creates the folder with an index key and a first data key; refuses when a keyring is there.
    @discardableResult
    public func create() throws -> DataKeyring {
        guard !exists else { throw SealingError.badKeyMaterial("\(path) already holds data keys") }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        chmod(path, 0o700)
        if try dataKeyNumbers().isEmpty { try writeNew("d1.key", DataKeyring.randomKey()) }
        try writeNew(Self.indexKeyFile, DataKeyring.randomKey())
        return try load()
    }

    /// Adds a data key numbered after the highest and answers its id; it seals from the next start.
    /// The index key is not changed: the stored digests stay valid.
    public func rotate() throws -> String {
        _ = try load()
        let next = (try dataKeyNumbers().last ?? 0) + 1
        try writeNew("d\(next).key", DataKeyring.randomKey())
        return "d\(next)"
    }

    func read(_ name: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: file(name)) else {
            throw SealingError.badKeyMaterial("cannot read \(file(name))")
        }
        guard data.count == DataKeyring.keySize else {
            throw SealingError.badKeyMaterial("\(file(name)) is not a \(DataKeyring.keySize)-byte key")
        }
        return Array(data)
    }

    /// Written with its final mode from the first byte, never over an existing file, and synced.
    func writeNew(_ name: String, _ bytes: [UInt8]) throws {
        let target = file(name)
        let fd = open(target, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw SealingError.badKeyMaterial("cannot create \(target): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            throw SealingError.badKeyMaterial("cannot write \(target): \(String(cString: strerror(errno)))")
        }
    }
}
