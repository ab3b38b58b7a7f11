import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import Testing

/// Helpers for tests that run the built `sharebus` executable as a person would.
enum CLI {
    /// Built by `swift build --build-tests` (which `make test` runs before `swift test --skip-build`).
    static let binary = repositoryRoot.appendingPathComponent(".build/debug/sharebus")

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// A finished command: exit status and everything it wrote.
    struct Result: Sendable, CustomStringConvertible {
        let status: Int32
        let stdout: String
        let stderr: String

        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
        var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
        var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
    }

    /// Runs `arguments` with `executable` (the bus binary unless told), in `directory`, and kills it after `timeout`.
    static func run(
        _ arguments: [String], executable: URL = CLI.binary, in directory: URL? = nil, timeout: Duration = .seconds(60)
    ) async throws -> Result {
        let child = try CapturedProcess(executable: executable, arguments: arguments, in: directory)
        let status: Int32
        do {
            status = try await child.finish(timeout: timeout)
        } catch {
            throw Failure(description: "\(error)")
        }
        return Result(status: status, stdout: child.stdout, stderr: child.stderr)
    }

    /// Starts `sharebus serve` with `arguments`, waits until it says it is serving, runs `body`, and stops the
    /// server whatever happens (SIGTERM, then SIGKILL after 5 s). Pass `--port 0`: the server prints the port it got.
    static func withServer<T>(
        _ arguments: [String], in directory: URL, _ body: (Server) async throws -> T
    ) async throws -> T {
        let child = try CapturedProcess(executable: binary, arguments: ["serve"] + arguments, in: directory)
        let server: Server
        do {
            server = try await Server.waitUntilServing(child)
        } catch {
            _ = await child.stop()
            throw error
        }
        do {
            let result = try await body(server)
            _ = await child.stop()
            return result
        } catch {
            _ = await child.stop()
            throw error
        }
    }

    /// A running `sharebus serve`.
    struct Server {
        fileprivate let child: CapturedProcess
        let port: Int
        /// The "sharebus is serving ..." block and everything printed before it.
        let banner: String

        var stdout: String { child.stdout }
        var stderr: String { child.stderr }

        /// Stops the server with `signal` (SIGKILL after 5 s) and returns its exit status; 9 means it had to be killed.
        func stop(signal: Int32 = SIGTERM) async -> Int32 { await child.stop(signal: signal) }

        static let servingLine = "sharebus is serving"

        fileprivate static func waitUntilServing(_ child: CapturedProcess, timeout: Duration = .seconds(30)) async throws -> Server {
            let clock = ContinuousClock()
            let deadline = clock.now + timeout
            while clock.now < deadline {
                let out = child.stdout
                // The block is written in one write; its last line says how to stop.
                if out.contains(servingLine), out.contains("Stop with Ctrl-C"),
                    let match = out.firstMatch(of: /sharebus is serving https:\/\/[^\s:]+:(\d+)/), let port = Int(match.1)
                {
                    return Server(child: child, port: port, banner: out)
                }
                guard child.process.isRunning else {
                    throw Failure(description: "sharebus serve exited with \(child.process.terminationStatus) before serving\n\(out)\(child.stderr)")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw Failure(description: "sharebus serve did not say it was serving within \(timeout)\n\(child.stdout)\(child.stderr)")
        }
    }
}

/// A fresh temporary folder for one test; `data/` and `Certs/` live in it.
struct CLIWorkspace {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sharebus-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    var data: String { root.appendingPathComponent("data").path }
    var certs: String { root.appendingPathComponent("Certs").path }
    /// `--data D --certs C`, for the subcommands that keep state.
    var state: [String] { ["--data", data, "--certs", certs] }

    func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
    func departmentDirectory(_ id: String) -> String { certs + "/departments/" + id }

    /// Runs a state-keeping subcommand (`["dept", "add", ...]`) against this workspace.
    func sharebus(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> CLI.Result {
        try await CLI.run(arguments + state, in: root, timeout: timeout)
    }

    /// Like `sharebus` but records a test issue unless the command succeeds.
    @discardableResult
    func succeed(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> CLI.Result {
        let result = try await sharebus(arguments)
        #expect(result.status == 0, "sharebus \(arguments.joined(separator: " ")): \(result)", sourceLocation: sourceLocation)
        return result
    }

    /// `dept add` with the arguments a department needs.
    func addDepartment(
        _ id: String, name: String, creditCode: String, division: String = "640100", level: String = "municipal",
        roles: [String] = ["consumer"]
    ) async throws -> CLI.Result {
        try await sharebus(
            ["dept", "add", "--id", id, "--name", name, "--credit-code", creditCode, "--level", level, "--division", division]
                + roles.flatMap { ["--role", $0] })
    }

    /// Registers every department of `Catalogs/departments.json`, as a person following the README would.
    func addCatalogDepartments(from catalogs: URL = repositoryRoot.appendingPathComponent("Catalogs")) async throws -> [String] {
        struct File: Decodable {
            struct Entry: Decodable {
                var id, name, creditCode, division, level: String
                var roles: [String]
            }
            var departments: [Entry]
        }
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: catalogs.appendingPathComponent("departments.json")))
        for d in file.departments {
            let result = try await addDepartment(d.id, name: d.name, creditCode: d.creditCode, division: d.division, level: d.level, roles: d.roles)
            #expect(result.status == 0, "dept add \(d.id): \(result)")
        }
        return file.departments.map(\.id)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

/// A command failed the way a person can act on: non-zero status and one line on stderr naming what is wrong.
func expectOneLineFailure(_ result: CLI.Result, mentioning fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status != 0, "expected failure: \(result)", sourceLocation: sourceLocation)
    #expect(result.stderrLines.count == 1, "expected one line on stderr: \(result)", sourceLocation: sourceLocation)
    #expect(result.stderr.hasPrefix("Error: "), "\(result)", sourceLocation: sourceLocation)
    #expect(!result.stderr.contains("Usage:"), "a failure is not a usage error: \(result)", sourceLocation: sourceLocation)
    for fragment in fragments {
        #expect(result.stderr.contains(fragment), "stderr should mention \(fragment): \(result)", sourceLocation: sourceLocation)
    }
}

extension PEMFileClient {
    /// A client for department `id` of `workspace`.
    convenience init(port: Int, workspace: CLIWorkspace, department id: String) throws {
        try self.init(port: port, certs: workspace.certs, department: id)
    }
}

/// Refused at the TLS layer (the handshake fails) or with 401 problem+json, as `expectRefused` for a `TestClient`.
func expectRefused(_ client: PEMFileClient, _ path: String = "/v1/departments", sourceLocation: SourceLocation = #_sourceLocation) async {
    do {
        let reply = try await client.get(path)
        #expect(reply.status == 401, "expected refusal, got \(reply.status) \(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.contentType == "application/problem+json", sourceLocation: sourceLocation)
    } catch {
        // The handshake failed: the request never reached a route.
    }
}
