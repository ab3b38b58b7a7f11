import Crypto
import Foundation
public import ShareBusCore

/// The secret that keys the digest naming a data subject in the audit log (`AuditEvent.subject`).
///
/// Kept outside the database (`Certs/bus/subject-key`, 32 random bytes, mode 0600): someone holding a
/// copy of the database alone cannot test a guessed id against the audit log, because the digest is an
/// HMAC, not a plain hash of an id that anyone could enumerate.
public struct SubjectKey: Sendable {
    public static let size = 32
    let key: SymmetricKey

    public init(bytes: [UInt8]) throws {
        guard bytes.count == Self.size else {
            throw ShareBusError(.internalError, "a subject key is \(Self.size) bytes, not \(bytes.count)")
        }
        key = SymmetricKey(data: bytes)
    }

    /// A fresh key held only in memory (tests, and a bus environment given none).
    public static func random() -> SubjectKey {
        // SymmetricKey(size:) is 32 bytes for .bits256, so this cannot fail.
        try! SubjectKey(bytes: SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
    }

    /// The lowercase hex HMAC-SHA256 of the holder id in its normal form (`HolderID.normalise`).
    public func digest(holderId: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(HolderID.normalise(holderId).utf8), using: key)
        return code.map { String(format: "%02x", $0) }.joined()
    }

    /// Reads the key file; throws a message naming the file when it is missing or not 32 bytes.
    public static func read(atPath path: String) throws -> SubjectKey {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ShareBusError(.internalError, "no subject key at \(path)")
        }
        guard data.count == size else {
            throw ShareBusError(.internalError, "\(path) is not a \(size)-byte subject key")
        }
        return try SubjectKey(bytes: Array(data))
    }

    /// Reads the key file, or creates it (32 random bytes, mode 0600) when there is none.
    /// Answers the key and whether it was created now.
    public static func loadOrCreate(atPath path: String) throws -> (key: SubjectKey, created: Bool) {
        if FileManager.default.fileExists(atPath: path) { return (try read(atPath: path), false) }
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        // Created with its final mode, and never over an existing file (O_EXCL): a key is not replaced.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw ShareBusError(.internalError, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            throw ShareBusError(.internalError, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return (try SubjectKey(bytes: bytes), true)
    }
}

/// Holder ids: a GB 11643 citizen id or a GB 32100 unified social credit code.
public enum HolderID {
    public enum Kind: String, Sendable { case citizen, organisation }

    /// The form ids are compared and digested in: text normalisation (NFKC, white space) and upper case.
    public static func normalise(_ id: String) -> String {
        ClaimNormaliser.text(id).uppercased()
    }

    /// What `id` (already normalised) is, or nil when it is neither kind of valid id.
    public static func kind(of id: String, today: LocalDate) -> Kind? {
        if CitizenID.isValid(id, today: today) { return .citizen }
        if CreditCode.isValid(id) { return .organisation }
        return nil
    }
}
