import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import Synchronization
import Testing

/// Several `sharebus serve` processes on one PostgreSQL database with one Certs folder, set up
/// with the CLI against the same `--store`.
struct MultiNodeBus {
    let ws: CLIWorkspace
    let url: String

    /// `pki init`, a provider and a consumer, and the exchange resource imported, all into `url`.
    static func prepare(cluster: PostgresCluster? = nil) async throws -> MultiNodeBus {
        let target: PostgresCluster
        if let cluster { target = cluster } else { target = try await PostgresCluster.shared() }
        let url = try target.makeDatabase()
        let ws = try CLIWorkspace()
        let bus = MultiNodeBus(ws: ws, url: url)
        try await ws.succeed(["pki", "init", "--store", url])
        for (id, code, role) in [(CLIExchange.provider, 41, "provider"), (CLIExchange.consumer, 42, "consumer")] {
            let added = try await ws.sharebus(
                ["dept", "add", "--id", id, "--name", "部门\(code)", "--credit-code", TestDepartments.creditCode(code), "--level", "municipal",
                 "--division", "640100", "--role", role, "--store", url])
            #expect(added.status == 0, "dept add: \(added)")
        }
        let folder = ws.root.appendingPathComponent("catalog")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(try CanonicalJSON.serialize(CLIExchange.resourceJSON)).write(to: folder.appendingPathComponent("\(CLIExchange.resource).json"))
        try await ws.succeed(["catalog", "import", folder.path, "--store", url])
        return bus
    }

    /// The arguments of node `n`: the shared store and Certs, its own unused data folder, no rate limit.
    func serveArguments(_ n: Int) -> [String] {
        ["--port", "0", "--metrics-port", "0", "--rate-limit", "0", "--store", url, "--certs", ws.certs, "--data", ws.path("unused-\(n)")]
    }

    /// Runs three nodes at once.
    func withThreeNodes<T>(_ body: ([CLI.Server]) async throws -> T) async throws -> T {
        try await CLI.withServer(serveArguments(1), in: ws.root) { a in
            try await CLI.withServer(serveArguments(2), in: ws.root) { b in
                try await CLI.withServer(serveArguments(3), in: ws.root) { c in try await body([a, b, c]) }
            }
        }
    }

    /// Runs three nodes at once, each with `extra` arguments after its `serveArguments`.
    func withThreeNodes<T>(adding extra: [String], _ body: ([CLI.Server]) async throws -> T) async throws -> T {
        try await CLI.withServer(serveArguments(1) + extra, in: ws.root) { a in
            try await CLI.withServer(serveArguments(2) + extra, in: ws.root) { b in
                try await CLI.withServer(serveArguments(3) + extra, in: ws.root) { c in try await body([a, b, c]) }
            }
        }
    }

    func builder() throws -> EnvelopeBuilder {
        try EnvelopeBuilder(departmentDirectory: ws.departmentDirectory(CLIExchange.provider))
    }

    func envelope(_ builder: EnvelopeBuilder, key: String, value: Int64) throws -> [UInt8] {
        try builder.envelope(sender: CLIExchange.provider, resource: CLIExchange.resource, operations: [CLIExchange.upsert(key, value)])
    }
}

/// One message of a pulled batch.
struct PulledMessage: Sendable {
    var sequence: Int64
    var key: String
}

extension PEMFileClient.Reply {
    /// The messages of a pull reply (a flattened JWS whose payload lists them).
    var pulledMessages: [PulledMessage]? {
        guard status == 200, let encoded = json?["payload"]?.stringValue, let payload = Base64URL.decode(encoded),
            let messages = (try? StrictJSON.parse(payload))?["messages"]?.arrayValue
        else { return nil }
        return messages.compactMap { message in
            guard case .integer(let sequence)? = message["sequence"], let key = message["key"]?.stringValue else { return nil }
            return PulledMessage(sequence: sequence, key: key)
        }
    }
}

/// What a consumer saw across pulls: each sequence once in order, and no gaps.
struct ConsumerLedger {
    var cursor: Int64 = 0
    var keys: [Int64: String] = [:]
    var gaps = 0
    var reordered = 0

    /// Takes a batch; a batch starting past the cursor is a gap, one going backwards out of order.
    mutating func take(_ messages: [PulledMessage]) {
        var previous = cursor
        for message in messages {
            if message.sequence > previous + 1 { gaps += 1 }
            if message.sequence <= previous, message.sequence > cursor { reordered += 1 }
            if message.sequence > cursor { keys[message.sequence] = message.key }
            previous = message.sequence
        }
        cursor = max(cursor, messages.last?.sequence ?? cursor)
    }
}

/// What the pushers and the consumer of one run share: the nodes still alive, the keys accepted,
/// and whether pushes are still going on.
final class MultiNodeRun: Sendable {
    let live = Mutex<[Int]>([0, 1, 2])
    let accepted = Mutex<Set<String>>([])
    let pushing = Mutex(true)
}
