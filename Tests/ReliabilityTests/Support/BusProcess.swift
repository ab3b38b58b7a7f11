import Foundation

/// Where the reliability suite finds the repository and the `sharebus` binary that `make reliability` (or
/// `swift build --build-tests`) built.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let binary = root.appendingPathComponent(".build/debug/sharebus")
}

struct ReliabilityFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A child process whose output goes to files (a pipe nobody drains can stall a chatty child).
final class ChildProcess: @unchecked Sendable {
    // @unchecked: `process` is only started in init and then read (isRunning, pid, status), which Process allows from any thread.
    let process = Process()
    let stdoutFile: URL
    let stderrFile: URL

    init(executable: URL, arguments: [String], in directory: URL, environment: [String: String] = [:]) throws {
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent("sharebus-rel-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: capture, withIntermediateDirectories: true)
        stdoutFile = capture.appendingPathComponent("stdout")
        stderrFile = capture.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        // The defaults of --data, --certs and --port come from SHAREBUS_*: a test says what it means.
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SHAREBUS_") }.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: stdoutFile.deletingLastPathComponent())
    }

    var pid: Int32 { process.processIdentifier }
    var stdout: String { (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

    /// Sends `signal` (SIGKILL after 5 s if it is still running) and answers the exit status.
    func stop(signal: Int32 = SIGTERM) async -> Int32 {
        if process.isRunning {
            kill(process.processIdentifier, signal)
            let deadline = ContinuousClock.now + .seconds(5)
            while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Waits for the process to end by itself, killing it after `timeout`.
    func finish(timeout: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                _ = await stop(signal: SIGKILL)
                throw ReliabilityFailure("`\(process.arguments?.joined(separator: " ") ?? "")` did not finish within \(timeout)\n\(stdout)\(stderr)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// A finished command.
struct CommandResult: Sendable, CustomStringConvertible {
    let status: Int32
    let stdout: String
    let stderr: String
    var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

enum Command {
    /// Runs `executable` (the bus binary unless told) to its end, killed after `timeout`.
    static func run(
        _ arguments: [String], executable: URL = Repository.binary, in directory: URL = FileManager.default.temporaryDirectory,
        timeout: Duration = .seconds(60), environment: [String: String] = [:]
    ) async throws -> CommandResult {
        let child = try ChildProcess(executable: executable, arguments: arguments, in: directory, environment: environment)
        let status = try await child.finish(timeout: timeout)
        return CommandResult(status: status, stdout: child.stdout, stderr: child.stderr)
    }

    /// `/usr/bin/sqlite3 FILE SQL`, as someone with the file in hand would.
    static func sqlite(_ path: String, _ sql: String) async throws -> CommandResult {
        try await run([path, sql], executable: URL(fileURLWithPath: "/usr/bin/sqlite3"), timeout: .seconds(20))
    }
}
