public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL server for tests: `initdb` in a temporary folder, started with `pg_ctl`
/// on a free port of 127.0.0.1, stopped and removed at the end.
///
/// The tests of one process share one cluster (`shared()`), each in a database of its own
/// (`makeDatabase()`). A cluster left behind by a test process that died is stopped and removed
/// the next time one starts. PostgreSQL refuses to run as root, so when the tests run as root the
/// server runs as the `postgres` system user. Without the server binaries the tests fail with
/// `PostgresCluster.Unavailable`, which says what to install.
public final class PostgresCluster: Sendable {
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    public let directory: String
    public let port: Int
    let binDirectory: String
    let asPostgresUser: Bool

    var dataDirectory: String { directory + "/data" }

    /// Initialises and starts a new cluster.
    public static func start() throws -> PostgresCluster {
        let bin = try findBinaries()
        removeAbandoned()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "\(getpid())".write(toFile: directory + "/owner.pid", atomically: true, encoding: .utf8)
        let cluster = PostgresCluster(directory: directory, port: try freePort(), binDirectory: bin, asPostgresUser: getuid() == 0)
        do {
            if cluster.asPostgresUser { try run("/bin/chown", ["-R", "postgres:postgres", directory]) }
            try cluster.server("initdb", ["-D", cluster.dataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"])
            try cluster.server("pg_ctl", [
                "-D", cluster.dataDirectory, "-l", directory + "/server.log", "-w", "-t", "60", "start", "-o",
                "-p \(cluster.port) -k \(directory) -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off",
            ])
        } catch {
            cluster.stop()
            throw error
        }
        return cluster
    }

    /// The cluster of this test process, started on first use and stopped when the process exits.
    public static func shared() async throws -> PostgresCluster {
        try await SharedCluster.instance.cluster()
    }

    init(directory: String, port: Int, binDirectory: String, asPostgresUser: Bool) {
        self.directory = directory
        self.port = port
        self.binDirectory = binDirectory
        self.asPostgresUser = asPostgresUser
    }

    /// A URL of a new empty database in this cluster.
    public func makeDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try Self.run(binDirectory + "/psql", [
            "-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c",
            "CREATE DATABASE \(name)",
        ])
        return url(database: String(name))
    }

    public func url(database: String) -> String { "postgres://postgres@127.0.0.1:\(port)/\(database)" }

    /// Runs `sql` with psql in the database of `url` (one of this cluster's), as someone with
    /// access to the database would; answers what it printed (unaligned, tuples only).
    @discardableResult
    public func execute(_ sql: String, database url: String) throws -> String {
        let name = URL(string: url)?.lastPathComponent ?? "postgres"
        return try Self.run(binDirectory + "/psql", [
            "-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", name, "-v", "ON_ERROR_STOP=1", "-q", "-A", "-t", "-c", sql,
        ])
    }

    /// Stops the server (fast shutdown: connections are closed) and leaves the folder.
    public func stopServer() throws {
        try server("pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "stop"])
    }

    /// Stops the server as a crash would (immediate mode: no checkpoint, connections cut); the
    /// next start recovers from the write-ahead log.
    public func stopServerImmediately() throws {
        try server("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"])
    }

    /// `pg_ctl restart -m immediate`: a crash and a recovery, on the same port.
    public func restartImmediately() throws {
        try stopServerImmediately()
        try startServer()
    }

    /// Starts the stopped server again on the same port.
    public func startServer() throws {
        try server("pg_ctl", [
            "-D", dataDirectory, "-l", directory + "/server.log", "-w", "-t", "60", "start", "-o",
            "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off",
        ])
    }

    /// Stops the server at once and removes its folder.
    public func stop() {
        _ = try? server("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: Processes

    static let prefix = "sharebus-pg-"

    /// A server program, run as the `postgres` user when this process is root.
    @discardableResult
    func server(_ program: String, _ arguments: [String]) throws -> String {
        let path = binDirectory + "/" + program
        if asPostgresUser { return try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments) }
        return try Self.run(path, arguments)
    }

    /// Runs a program and waits for it. A ``ChildProcess``: the server that `pg_ctl start` leaves
    /// running inherits none of this process's descriptors, so the wait returns.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let result: (status: Int32, output: String)
        do {
            result = try ChildProcess.run(executable, arguments)
        } catch {
            throw Unavailable(description: "cannot run \(executable): \(error)")
        }
        guard result.status == 0 else {
            throw Unavailable(description: "\(executable) \(arguments.joined(separator: " ")) failed (status \(result.status)): \(result.output)")
        }
        return result.output
    }

    /// `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin, holding initdb and pg_ctl.
    static func findBinaries() throws -> String {
        var candidates: [String] = []
        for pgConfig in ["/usr/bin/pg_config", "/usr/local/bin/pg_config"] where FileManager.default.isExecutableFile(atPath: pgConfig) {
            if let bin = try? run(pgConfig, ["--bindir"]).trimmingCharacters(in: .whitespacesAndNewlines) { candidates.append(bin) }
        }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        candidates += versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
        for bin in candidates where ["initdb", "pg_ctl", "psql"].allSatisfy({ FileManager.default.isExecutableFile(atPath: "\(bin)/\($0)") }) {
            return bin
        }
        throw Unavailable(
            description: "PostgreSQL server binaries (initdb, pg_ctl) not found in `pg_config --bindir` or /usr/lib/postgresql/*/bin: "
                + "install the postgresql package (`make deps` does) to run the PostgreSQL store tests")
    }

    /// Clusters of test processes that are gone.
    static func removeAbandoned() {
        let temporary = FileManager.default.temporaryDirectory.path
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [] where name.hasPrefix(prefix) {
            let directory = temporary + "/" + name
            guard let owner = try? String(contentsOfFile: directory + "/owner.pid", encoding: .utf8), let pid = Int32(owner),
                kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            if let bin = try? findBinaries() {
                PostgresCluster(directory: directory, port: 0, binDirectory: bin, asPostgresUser: getuid() == 0).stop()
            }
        }
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Unavailable(description: "cannot open a socket to find a free port") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(fd, address, length) == 0 && getsockname(fd, address, &length) == 0
            }
        }
        guard bound else { throw Unavailable(description: "cannot bind a socket to find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Starts the shared cluster once, and stops it when the test process exits.
private actor SharedCluster {
    static let instance = SharedCluster()
    private var started: Result<PostgresCluster, any Error>?

    func cluster() throws -> PostgresCluster {
        if let started { return try started.get() }
        let result = Result { try PostgresCluster.start() }
        started = result
        if case .success(let cluster) = result {
            SharedClusterExit.cluster = cluster
            atexit { SharedClusterExit.cluster?.stop() }
        }
        return try result.get()
    }
}

private enum SharedClusterExit {
    /// Written once, by the actor, before `atexit` is registered; read only at process exit.
    nonisolated(unsafe) static var cluster: PostgresCluster?
}
