public import Foundation

/// A child process whose standard output and error go to files of a folder of its own, removed
/// when it is released. Files, not pipes: a pipe nobody drains can fill and stall a chatty child.
///
/// The child gets this process's environment without its `SHAREBUS_*` variables (they set the
/// defaults of `--data`, `--certs` and `--port`: a test says what it means), plus `environment`.
public final class CapturedProcess: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    public let process: ChildProcess
    public let folder: URL
    public let stdoutFile: URL
    public let stderrFile: URL

    /// Starts `executable` in `directory` (the capture folder when nil).
    public init(executable: URL, arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("sharebus-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        stdoutFile = folder.appendingPathComponent("stdout")
        stderrFile = folder.appendingPathComponent("stderr")
        let inherited = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SHAREBUS_") }
        do {
            process = try ChildProcess(
                executable: executable.path, arguments: arguments, directory: (directory ?? folder).path,
                environment: inherited.merging(environment) { $1 }, output: .file(stdoutFile.path), error: .file(stderrFile.path))
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }

    deinit {
        if process.isRunning {
            kill(process.pid, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }

    public var pid: Int32 { process.pid }
    public var stdout: String { (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

    /// Sends `signal` (SIGKILL after 5 s if it is still running) and answers the exit status; 9 means it had to be killed.
    public func stop(signal: Int32 = SIGTERM) async -> Int32 {
        await process.stop(signal: signal)
    }

    /// Waits for the process to end by itself, killing it after `timeout`.
    public func finish(timeout: Duration) async throws -> Int32 {
        guard let status = await process.wait(timeout: timeout) else {
            _ = await process.stop(signal: SIGKILL)
            throw Failure("`\(process.arguments.joined(separator: " "))` did not finish within \(timeout)\n\(stdout)\(stderr)")
        }
        return status
    }
}
