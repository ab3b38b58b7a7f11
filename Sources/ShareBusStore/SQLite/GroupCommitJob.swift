import GRDB

/// One request of a group commit: run inside the batch's transaction, answered after its `COMMIT`.
protocol GroupCommitJob: AnyObject, Sendable {
    /// Runs the request's statements (inside its savepoint); the value is kept until `finish`.
    func run(_ db: Database) throws
    /// The request failed on its own; its savepoint was rolled back and the batch goes on.
    func fail(_ error: any Error)
    /// The batch is over: answers the caller with its value, its own error, or `batchFailure`.
    func finish(batchFailure: (any Error)?)
}

/// A request whose caller waits for a `T`.
///
/// `@unchecked Sendable`: `outcome` is written by `run`/`fail` and read by `finish`, and the group
/// commit writer calls all three from one `runNextBatch` turn on GRDB's serial writer queue, after
/// the job left the mutex-protected queue; nothing else touches it.
final class TypedJob<T: Sendable>: GroupCommitJob, @unchecked Sendable {
    private let body: @Sendable (Database) throws -> T
    private let continuation: CheckedContinuation<T, any Error>
    private var outcome: Result<T, any Error>?

    init(body: @escaping @Sendable (Database) throws -> T, continuation: CheckedContinuation<T, any Error>) {
        self.body = body
        self.continuation = continuation
    }

    func run(_ db: Database) throws {
        outcome = .success(try body(db))
    }

    func fail(_ error: any Error) {
        outcome = .failure(error)
    }

    func finish(batchFailure: (any Error)?) {
        if let batchFailure {
            continuation.resume(throwing: batchFailure)
        } else if let outcome {
            continuation.resume(with: outcome)
        } else {
            // Unreachable: a committed batch ran every job; answer rather than leave a caller hanging.
            continuation.resume(throwing: DatabaseError(resultCode: .SQLITE_INTERNAL, message: "a request of the batch did not run"))
        }
    }
}
