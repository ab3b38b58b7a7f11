import Foundation

/// A tmpfs mounted on a folder for the length of a body: a small disk that fills up for real.
enum Tmpfs {
    /// Mounts a tmpfs of `size` (e.g. `"24m"`) on `path`, runs `body`, unmounts. Fails with a clear message
    /// when mounting is not permitted: the scenario is never skipped in silence.
    static func with<T>(at path: String, size: String, _ body: () async throws -> T) async throws -> T {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let mount = try await Command.run(["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path], executable: URL(fileURLWithPath: "/bin/mount"))
        guard mount.status == 0 else {
            throw ReliabilityFailure(
                "the disk-full scenario needs `mount -t tmpfs` (root, and a kernel or container that permits mounting); it failed: \(mount)")
        }
        do {
            let result = try await body()
            _ = try await Command.run(["-l", path], executable: URL(fileURLWithPath: "/bin/umount"))
            return result
        } catch {
            _ = try? await Command.run(["-l", path], executable: URL(fileURLWithPath: "/bin/umount"))
            throw error
        }
    }

    /// Writes zeros to `file` until the file system refuses (ENOSPC); answers the bytes written.
    static func fill(_ file: String) -> Int {
        guard
            let handle = FileHandle(forWritingAtPath: file)
                ?? {
                    FileManager.default.createFile(atPath: file, contents: nil)
                    return FileHandle(forWritingAtPath: file)
                }()
        else { return 0 }
        defer { try? handle.close() }
        var written = 0
        for size in [1 << 16, 1 << 12, 1 << 9] {
            let chunk = Data(count: size)
            while (try? handle.write(contentsOf: chunk)) != nil { written += size }
        }
        return written
    }
}
