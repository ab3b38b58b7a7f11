import Foundation
import Logging
public import ServiceLifecycle
import ShareBusCore
import ShareBusCrypto
public import ShareBusStore

/// Signs a checkpoint of the audit chain's head every `interval` (default 60 s), when it moved.
public struct CheckpointService: Service {
    let env: BusEnvironment
    let interval: Duration

    public init(env: BusEnvironment, interval: Duration = .seconds(60)) {
        self.env = env
        self.interval = interval
    }

    public func run() async throws {
        while !Task.isCancelled {
            do {
                _ = try await Self.checkpoint(env)
            } catch {
                env.logger.error("audit checkpoint failed", metadata: ["error": "\(error)"])
            }
            // Wake for shutdown at once instead of sleeping out the interval.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            if Task.isShuttingDownGracefully { break }
        }
    }

    /// Signs `{"index","hash","at"}` of the head unless the newest checkpoint already covers it.
    public static func checkpoint(_ env: BusEnvironment) async throws -> Checkpoint? {
        let signer = env.signer
        let at = Timestamp.format(env.clock.now())
        return try await env.store.addCheckpoint { head in
            let payload: JSONValue = .object(["index": .integer(head.index), "hash": .string(head.hash), "at": .string(at)])
            return Checkpoint(index: head.index, hash: head.hash, at: at, jws: try signer.sign(payload, type: BusSigner.checkpointType))
        }
    }
}
