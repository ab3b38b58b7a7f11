import Foundation
import ShareBusTesting

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
        let child = try CapturedProcess(executable: executable, arguments: arguments, in: directory, environment: environment)
        let status = try await child.finish(timeout: timeout)
        return CommandResult(status: status, stdout: child.stdout, stderr: child.stderr)
    }

    /// `/usr/bin/sqlite3 FILE SQL`, as someone with the file in hand would.
    static func sqlite(_ path: String, _ sql: String) async throws -> CommandResult {
        try await run([path, sql], executable: URL(fileURLWithPath: "/usr/bin/sqlite3"), timeout: .seconds(20))
    }
}
