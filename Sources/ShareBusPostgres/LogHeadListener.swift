import Foundation
import Logging
import PostgresNIO
import Synchronization

/// Holds one pooled connection in LISTEN on the store's channel and hands every committed log head
/// (this node's and other nodes') to the streams of `PostgresStore.logChanges()`.
///
/// When the connection is lost it connects again after `listenRetry`, and then announces every
/// resource's current head once, so a waiter that missed a NOTIFY while the listener was away
/// still wakes.
final class LogHeadListener: Sendable {
    typealias Change = (resource: String, head: Int64)

    private struct State {
        var streams: [UUID: AsyncStream<Change>.Continuation] = [:]
        var listening = false
        var stopped = false
    }
    private let state = Mutex(State())

    var isListening: Bool { state.withLock { $0.listening } }

    func subscribe() -> AsyncStream<Change> {
        let (stream, continuation) = AsyncStream.makeStream(of: Change.self, bufferingPolicy: .bufferingNewest(4096))
        let id = UUID()
        let stopped = state.withLock { state -> Bool in
            if !state.stopped { state.streams[id] = continuation }
            return state.stopped
        }
        if stopped { continuation.finish() }
        continuation.onTermination = { [weak self] _ in self?.state.withLock { _ = $0.streams.removeValue(forKey: id) } }
        return stream
    }

    func stop() {
        let streams = state.withLock { state in
            state.stopped = true
            defer { state.streams = [:] }
            return Array(state.streams.values)
        }
        for stream in streams { stream.finish() }
    }

    func publish(_ change: Change) {
        for stream in state.withLock({ Array($0.streams.values) }) { stream.yield(change) }
    }

    /// Runs until the task is cancelled.
    func run(
        location: PostgresLocation, configuration: PostgresStoreConfiguration, logger: Logger,
        heads: @escaping @Sendable (PostgresConnection) async throws -> [Change]
    ) async {
        let client = PostgresClient(configuration: location.clientConfiguration(listenerConfiguration(configuration)), backgroundLogger: logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            var first = true
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: configuration.channel) { notifications in
                            state.withLock { $0.listening = true }
                            // After a reconnection: what committed while nobody listened.
                            if !first { for change in try await heads(connection) { publish(change) } }
                            first = false
                            for try await notification in notifications {
                                if let change = Self.change(notification.payload) { publish(change) }
                            }
                        }
                    }
                } catch {
                    if !Task.isCancelled {
                        logger.debug("log listener lost its connection", metadata: ["store.error": "\(String(reflecting: error))"])
                    }
                }
                state.withLock { $0.listening = false }
                first = false
                try? await Task.sleep(for: configuration.listenRetry)
            }
            group.cancelAll()
        }
    }

    /// A pool of its own with one connection, so the listener never takes one the store needs.
    private func listenerConfiguration(_ configuration: PostgresStoreConfiguration) -> PostgresStoreConfiguration {
        var configuration = configuration
        configuration.maximumConnections = 1
        return configuration
    }

    /// The payload is `{"resource": code, "head": n}`.
    static func change(_ payload: String) -> Change? {
        struct Payload: Decodable {
            var resource: String
            var head: Int64
        }
        guard let decoded = try? JSONDecoder().decode(Payload.self, from: Data(payload.utf8)) else { return nil }
        return (decoded.resource, decoded.head)
    }
}
