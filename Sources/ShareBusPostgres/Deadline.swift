import Synchronization

/// Runs an operation with a time limit: the caller is answered when the operation finishes or the
/// limit passes, whichever comes first. A late operation is cancelled and left to end on its own
/// (a query on a dead connection cannot be interrupted; its connection fails it later).
enum Deadline {
    struct Exceeded: Error {
        let limit: Duration
    }

    static func run<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let slot = Slot<T>()
        return try await withCheckedThrowingContinuation { continuation in
            slot.install(continuation)
            let timer = Task {
                try? await Task.sleep(for: limit)
                guard !Task.isCancelled else { return }
                slot.finish(.failure(Exceeded(limit: limit)))
            }
            let work = Task {
                do {
                    slot.finish(.success(try await body()))
                } catch {
                    slot.finish(.failure(error))
                }
                timer.cancel()
            }
            slot.onTimeout { work.cancel() }
        }
    }

    /// The continuation, resumed exactly once.
    private final class Slot<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var cancel: (@Sendable () -> Void)?
            var timedOut = false
        }
        private let state = Mutex(State())

        func install(_ continuation: CheckedContinuation<T, any Error>) {
            state.withLock { $0.continuation = continuation }
        }

        func onTimeout(_ cancel: @escaping @Sendable () -> Void) {
            let late = state.withLock { state -> Bool in
                state.cancel = cancel
                return state.timedOut
            }
            if late { cancel() }
        }

        func finish(_ result: Result<T, any Error>) {
            let (continuation, cancel) = state.withLock { state -> (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) in
                let continuation = state.continuation
                state.continuation = nil
                guard continuation != nil else { return (nil, nil) }
                if case .failure(let error) = result, error is Exceeded {
                    state.timedOut = true
                    return (continuation, state.cancel)
                }
                return (continuation, nil)
            }
            continuation?.resume(with: result)
            cancel?()
        }
    }
}
