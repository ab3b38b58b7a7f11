import Foundation
import ShareBusTesting

/// A running `sharebus serve` on a workspace, started as an operator would start it.
final class BusServer: Sendable {
    let child: CapturedProcess
    let port: Int
    /// The plain-HTTP local listener (`/healthz`, `/readyz`).
    let localPort: Int?

    private init(child: CapturedProcess, port: Int, localPort: Int?) {
        self.child = child
        self.port = port
        self.localPort = localPort
    }

    var pid: Int32 { child.pid }
    var isRunning: Bool { child.process.isRunning }

    /// Starts `sharebus serve` on `workspace` with `extra` flags and waits until it says it is serving.
    /// `localListener` asks for the local listener on a port the test reads from `/proc`.
    static func start(
        _ workspace: Workspace, extra: [String] = [], environment: [String: String] = [:], localPort: Int? = nil,
        timeout: Duration = .seconds(30)
    ) async throws -> BusServer {
        // The per-caller rate limit is not under test here: the load is the fault's, not a misbehaving client's.
        let arguments = ["serve", "--port", "0", "--metrics-port", localPort.map(String.init) ?? "0", "--rate-limit", "0"] + workspace.state + extra
        let child = try CapturedProcess(executable: Repository.binary, arguments: arguments, in: workspace.root, environment: environment)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let out = child.stdout
            if out.contains("Stop with Ctrl-C"), let match = out.firstMatch(of: /sharebus is serving https:\/\/[^\s:]+:(\d+)/),
                let port = Int(match.1)
            {
                return BusServer(child: child, port: port, localPort: localPort)
            }
            guard child.process.isRunning else {
                throw ReliabilityFailure("sharebus serve exited with \(child.process.terminationStatus) before serving\n\(out)\(child.stderr)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        _ = await child.stop(signal: SIGKILL)
        throw ReliabilityFailure("sharebus serve did not say it was serving within \(timeout)\n\(child.stdout)\(child.stderr)")
    }

    /// Stops the server with `signal` and answers its exit status (9 when it was killed).
    @discardableResult
    func stop(signal: Int32 = SIGTERM) async -> Int32 { await child.stop(signal: signal) }

    /// Runs `body` with a server, stopping it (SIGTERM) however `body` ends.
    static func with<T>(
        _ workspace: Workspace, extra: [String] = [], environment: [String: String] = [:], localPort: Int? = nil,
        _ body: (BusServer) async throws -> T
    ) async throws -> T {
        let server = try await start(workspace, extra: extra, environment: environment, localPort: localPort)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// A free TCP port on 127.0.0.1 (for the local listener, which `serve` does not print).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ReliabilityFailure("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
