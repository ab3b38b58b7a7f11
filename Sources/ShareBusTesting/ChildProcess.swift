import CSpawn
public import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A program started with `posix_spawn` and reaped with `waitpid`, for tests that run real binaries.
///
/// Not Foundation's `Process`: started from many test tasks at once it can crash inside `run()`
/// (a bad memory copy while it sets the child up), which takes the whole test run down with it, and a
/// daemon the child leaves behind inherits the descriptor it watches for the child's end.
///
/// The child starts with every signal at its default action and none blocked (a test runner's worker
/// thread may block or ignore some), and with no descriptor of this process but the three it is given.
public final class ChildProcess: Sendable {
    /// Where the child's standard input comes from.
    public enum Input: Sendable {
        case null
        /// A pipe whose writing end is ``standardInput``.
        case pipe
    }

    /// Where the child's standard output or error goes.
    public enum Output: Sendable {
        case null
        /// The file at this path, created or truncated.
        case file(String)
        /// A pipe whose reading end is ``standardOutput`` (for standard output only).
        case pipe
        /// The same place as standard output (for standard error only).
        case standardOutput
    }

    public struct SpawnFailure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public let pid: Int32
    public let executable: String
    public let arguments: [String]
    /// The writing end of the child's standard input, when it was asked for as `.pipe`.
    public let standardInput: FileHandle?
    /// The reading end of the child's standard output, when it was asked for as `.pipe`.
    public let standardOutput: FileHandle?
    /// The raw `waitpid` status once the child has been reaped.
    private let reaped = Mutex<Int32?>(nil)

    /// Starts `executable` with `arguments` in `directory` (this process's when nil), with
    /// `environment` (this process's when nil).
    public init(
        executable: String, arguments: [String], directory: String? = nil, environment: [String: String]? = nil,
        input: Input = .null, output: Output = .null, error: Output = .null
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        // Descriptors this process keeps: the parent's ends of the pipes, closed here if the spawn fails.
        var parentEnds: [Int32] = []
        // The child's ends of the pipes, closed here once the child has them.
        var childEnds: [Int32] = []
        defer { for fd in childEnds { close(fd) } }
        func makePipe() throws -> (read: Int32, write: Int32) {
            var fds: [Int32] = [0, 0]
            guard sharebus_pipe_cloexec(&fds) == 0 else { throw SpawnFailure(description: "pipe2 failed: errno \(errno)") }
            return (fds[0], fds[1])
        }

        var inputWriter: Int32?
        switch input {
        case .null:
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        case .pipe:
            let fds = try makePipe()
            childEnds.append(fds.read)
            parentEnds.append(fds.write)
            inputWriter = fds.write
            posix_spawn_file_actions_adddup2(&actions, fds.read, 0)
        }
        var outputReader: Int32?
        do {
            for (target, destination) in [(Int32(1), output), (Int32(2), error)] {
                switch destination {
                case .null:
                    posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
                case .file(let path):
                    posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                case .pipe:
                    guard target == 1 else { throw SpawnFailure(description: "only standard output can be a pipe") }
                    let fds = try makePipe()
                    childEnds.append(fds.write)
                    parentEnds.append(fds.read)
                    outputReader = fds.read
                    posix_spawn_file_actions_adddup2(&actions, fds.write, 1)
                case .standardOutput:
                    guard target == 2 else { throw SpawnFailure(description: "standard output cannot go to itself") }
                    posix_spawn_file_actions_adddup2(&actions, 1, 2)
                }
            }
        } catch {
            for fd in parentEnds { close(fd) }
            throw error
        }
        sharebus_spawn_addclosefrom(&actions, 3)
        if let directory { sharebus_spawn_addchdir(&actions, directory) }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let environmentPairs = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let envp = environmentPairs.map { strdup($0) } + [nil]
        defer { for pointer in envp { free(pointer) } }

        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            for fd in parentEnds { close(fd) }
            throw SpawnFailure(description: "cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
        self.executable = executable
        self.arguments = arguments
        standardInput = inputWriter.map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        standardOutput = outputReader.map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
    }

    deinit {
        if isRunning {
            kill(pid, SIGKILL)
            _ = waitUntilExit()
        }
    }

    /// Whether the child has not ended yet (reaping it if it has).
    public var isRunning: Bool {
        reaped.withLock { status in
            guard status == nil else { return false }
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, WNOHANG)
            if result == pid {
                status = raw
                return false
            }
            if result == -1 && errno != EINTR {
                // Reaped elsewhere or never ours: there is nothing left to wait for.
                status = -1 << 8
                return false
            }
            return true
        }
    }

    /// The exit code, or the number of the signal that ended the child (9 after SIGKILL); -1 while it runs.
    public var terminationStatus: Int32 {
        guard !isRunning, let raw = reaped.withLock({ $0 }) else { return -1 }
        return raw & 0x7f == 0 ? (raw >> 8) & 0xff : raw & 0x7f
    }

    /// Whether the child ended by a signal rather than by exiting.
    public var endedBySignal: Bool {
        guard !isRunning, let raw = reaped.withLock({ $0 }) else { return false }
        return raw & 0x7f != 0
    }

    /// Sends `signal` if the child still runs.
    public func send(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Blocks until the child ends and answers ``terminationStatus``.
    @discardableResult
    public func waitUntilExit() -> Int32 {
        while isRunning { usleep(2_000) }
        return terminationStatus
    }

    /// Waits up to `timeout` for the child to end: its ``terminationStatus``, or nil if it still runs.
    public func wait(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            guard ContinuousClock.now < deadline else { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return terminationStatus
    }

    /// Sends `signal`, then SIGKILL if the child has not ended after `grace`; answers its ``terminationStatus``.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, grace: Duration = .seconds(5)) async -> Int32 {
        send(signal)
        if let status = await wait(timeout: grace) { return status }
        send(SIGKILL)
        while isRunning { try? await Task.sleep(for: .milliseconds(5)) }
        return terminationStatus
    }

    /// Runs `executable` to its end and answers its status with standard output and error together.
    public static func run(
        _ executable: String, _ arguments: [String], directory: String? = nil, environment: [String: String]? = nil
    ) throws -> (status: Int32, output: String) {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("sharebus-run-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let child = try ChildProcess(
            executable: executable, arguments: arguments, directory: directory, environment: environment, output: .file(outputPath),
            error: .standardOutput)
        let status = child.waitUntilExit()
        return (status, (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "")
    }
}
