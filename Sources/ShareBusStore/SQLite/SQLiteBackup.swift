public import Foundation
import GRDB
public import ShareBusCore

/// Online backup and restore of the embedded store.
///
/// A backup is one SQLite file made with SQLite's backup API inside a single read transaction of
/// the live database: a consistent snapshot as of that transaction, taken while the bus keeps
/// accepting (WAL mode lets the writer go on). It is written beside its destination, checked with
/// `PRAGMA integrity_check`, flushed, and only then renamed into place, so a half-written backup
/// never carries the final name. The key material under the certs folder is not in it: keep that
/// beside the backup (docs/operations.md, "Backup and restore").
public enum SQLiteBackup {
    /// What a backup or a restored store holds.
    public struct Summary: Sendable, Hashable {
        /// Entries of the audit chain, and the hash of the newest one.
        public var auditEntries: Int64
        public var auditHeadHash: String?
        public var envelopes: Int64
        public var logEntries: Int64
        public var bytes: Int64
    }

    /// The store file inside a data folder.
    public static func storeFile(in dataDirectory: String) -> String {
        (dataDirectory as NSString).appendingPathComponent("sharebus.sqlite")
    }

    /// Copies a consistent snapshot of the store in `dataDirectory` to `file`.
    public static func backup(dataDirectory: String, to file: String) throws -> Summary {
        let source = storeFile(in: dataDirectory)
        guard FileManager.default.fileExists(atPath: source) else {
            throw ShareBusError(.invalidParameter, "no store in \(dataDirectory)")
        }
        guard !FileManager.default.fileExists(atPath: file) else {
            throw ShareBusError(.alreadyExists, "\(file) exists; a backup never overwrites one")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let live = try DatabaseQueue(path: source, configuration: configuration)
        let partial = file + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            let copy = try DatabaseQueue(path: partial)
            try live.backup(to: copy)
            try live.close()
            // A self-contained file: no -wal beside it to forget.
            try copy.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
            try check(copy, name: partial)
            try copy.close()
            try flush(partial)
            guard rename(partial, file) == 0 else {
                throw ShareBusError(.storageUnavailable, "cannot rename \(partial) to \(file): \(String(cString: strerror(errno)))")
            }
            try flushDirectory(of: file)
        } catch {
            try? live.close()
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
        return try summary(of: file)
    }

    /// Puts the backup `file` in place as the store of `dataDirectory`, which must not hold one yet.
    public static func restore(from file: String, dataDirectory: String) throws -> Summary {
        guard FileManager.default.fileExists(atPath: file) else {
            throw ShareBusError(.invalidParameter, "no backup at \(file)")
        }
        let target = storeFile(in: dataDirectory)
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: target + suffix) {
            throw ShareBusError(.alreadyExists, "\(target + suffix) exists; restore into a new data folder")
        }
        var readOnly = Configuration()
        readOnly.readonly = true
        let backup = try DatabaseQueue(path: file, configuration: readOnly)
        try check(backup, name: file)
        let isStore = try backup.read { db in try db.tableExists("audit") && db.tableExists("log") && db.tableExists("envelope") }
        try backup.close()
        guard isStore else { throw ShareBusError(.invalidParameter, "\(file) is an SQLite file but not a sharebus store") }

        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let partial = target + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        try FileManager.default.copyItem(atPath: file, toPath: partial)
        try flush(partial)
        guard rename(partial, target) == 0 else {
            throw ShareBusError(.storageUnavailable, "cannot rename \(partial) to \(target): \(String(cString: strerror(errno)))")
        }
        try flushDirectory(of: target)
        // Opening it as the bus does runs any newer migrations and turns WAL mode back on.
        _ = try SQLiteStore(directory: dataDirectory)
        return try summary(of: target)
    }

    /// Counts of a store file, read without changing it.
    public static func summary(of file: String) throws -> Summary {
        var readOnly = Configuration()
        readOnly.readonly = true
        let queue = try DatabaseQueue(path: file, configuration: readOnly)
        defer { try? queue.close() }
        let bytes = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0
        return try queue.read { db in
            Summary(
                auditEntries: try Int64.fetchOne(db, sql: "SELECT count(*) FROM audit") ?? 0,
                auditHeadHash: try String.fetchOne(db, sql: "SELECT hash FROM audit ORDER BY idx DESC LIMIT 1"),
                envelopes: try Int64.fetchOne(db, sql: "SELECT count(*) FROM envelope") ?? 0,
                logEntries: try Int64.fetchOne(db, sql: "SELECT count(*) FROM log") ?? 0,
                bytes: bytes)
        }
    }

    private static func check(_ queue: DatabaseQueue, name: String) throws {
        let result = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        guard result == ["ok"] else {
            throw ShareBusError(.storageUnavailable, "\(name) fails its integrity check: \(result.prefix(5).joined(separator: "; "))")
        }
    }

    private static func flush(_ path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw ShareBusError(.storageUnavailable, "cannot open \(path) to flush it") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw ShareBusError(.storageUnavailable, "fsync of \(path) failed") }
    }

    private static func flushDirectory(of path: String) throws {
        try flush((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent)
    }
}
