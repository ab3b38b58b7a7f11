import Foundation
import ShareBusTesting

/// `strace --inject` attached to a running process: the named system calls on the given files fail with an errno.
final class SyscallFaults: Sendable {
    let child: CapturedProcess
    let traceFile: String

    private init(child: CapturedProcess, traceFile: String) {
        self.child = child
        self.traceFile = traceFile
    }

    /// The calls strace saw, the injected ones marked `(INJECTED)`.
    var trace: String { (try? String(contentsOfFile: traceFile, encoding: .utf8)) ?? "" }

    /// Attaches to every thread of `pid` and makes `syscalls` (e.g. `fdatasync,fsync`) that touch `paths` fail with
    /// `error` from their `from`-th call on; waits until strace says it is attached.
    static func inject(pid: Int32, syscalls: String, error: String = "EIO", from: Int = 1, paths: [String]) async throws -> SyscallFaults {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") else {
            throw ReliabilityFailure("strace is not installed (make deps installs it from Debian)")
        }
        let traceFile = FileManager.default.temporaryDirectory.appendingPathComponent("sharebus-strace-\(UUID().uuidString)").path
        let arguments =
            ["-f", "-p", "\(pid)", "-e", "trace=\(syscalls)", "-e", "inject=\(syscalls):error=\(error):when=\(from)+", "-o", traceFile]
            + paths.flatMap { ["-P", $0] }
        let child = try CapturedProcess(executable: URL(fileURLWithPath: "/usr/bin/strace"), arguments: arguments, in: URL(fileURLWithPath: "/"))
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if child.stderr.contains("attached") { return SyscallFaults(child: child, traceFile: traceFile) }
            guard child.process.isRunning else { throw ReliabilityFailure("strace could not attach: \(child.stderr)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        _ = await child.stop(signal: SIGKILL)
        throw ReliabilityFailure("strace did not attach within 10 s: \(child.stderr)")
    }

    /// Detaches: from now on the calls succeed again.
    func remove() async {
        _ = await child.stop(signal: SIGINT)
    }

    deinit { try? FileManager.default.removeItem(atPath: traceFile) }
}
