import Foundation
import GRDB
import Synchronization

/// Group commit: the writes that arrive while a commit is being flushed are gathered into the next
/// transaction, so many requests share one `COMMIT` and one flush of the WAL.
///
/// Each request runs inside its own `SAVEPOINT`: a request that throws (a replayed envelope, a rule
/// closure refusing a change, a constraint) rolls back only its own statements and gets its own
/// error, the others go on. Nobody is answered before the shared `COMMIT` has returned, so an answer
/// still means the data is on disk; when the `COMMIT` (or a storage failure inside the transaction)
/// fails, every request of the batch gets that error. Requests run in the order they were submitted,
/// which is also their order in the audit chain.
///
/// Batches go through GRDB's single writer queue like every other write, one batch per turn, so
/// writes that bypass this writer are interleaved fairly rather than starved.
final class GroupCommitWriter: Sendable {
    /// A request waiting for its batch.
    typealias Job = GroupCommitJob

    private struct Queue {
        var pending: [any Job] = []
        /// True while a batch is queued on, or running on, the database writer.
        var scheduled = false
    }

    private let pool: DatabasePool
    private let queue = Mutex(Queue())
    /// The most requests one transaction takes; the rest wait for the next one.
    let maximumBatch: Int
    /// Transactions run so far (committed or not), for tests and diagnostics.
    let batches = Atomic<Int>(0)

    init(pool: DatabasePool, maximumBatch: Int = 512) {
        self.pool = pool
        self.maximumBatch = maximumBatch
    }

    /// Runs `body` in the next batch's transaction and returns its value once that batch committed.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit(TypedJob(body: body, continuation: continuation))
        }
    }

    private func submit(_ job: any Job) {
        let schedule = queue.withLock { queue in
            queue.pending.append(job)
            if queue.scheduled { return false }
            queue.scheduled = true
            return true
        }
        if schedule { scheduleBatch() }
    }

    private func scheduleBatch() {
        pool.asyncWriteWithoutTransaction { db in self.runNextBatch(db) }
    }

    /// On the writer queue: takes what is waiting, commits it, answers, and schedules the next turn
    /// if more arrived meanwhile.
    private func runNextBatch(_ db: Database) {
        let batch: [any Job] = queue.withLock { queue in
            let count = min(queue.pending.count, maximumBatch)
            let batch = Array(queue.pending.prefix(count))
            queue.pending.removeFirst(count)
            return batch
        }
        if !batch.isEmpty {
            let failure = Self.commit(batch, in: db)
            batches.add(1, ordering: .relaxed)
            for job in batch { job.finish(batchFailure: failure) }
        }
        let more = queue.withLock { queue in
            if queue.pending.isEmpty {
                queue.scheduled = false
                return false
            }
            return true
        }
        if more { scheduleBatch() }
    }

    /// Runs the batch in one immediate transaction; returns the error that failed the whole batch.
    static func commit(_ batch: [any Job], in db: Database) -> (any Error)? {
        do {
            try db.inTransaction(.immediate) {
                for job in batch {
                    do {
                        try db.inSavepoint {
                            try job.run(db)
                            return .commit
                        }
                    } catch {
                        // A failure of the storage itself (or one after which SQLite already rolled
                        // the transaction back) takes the whole batch with it.
                        if !db.isInsideTransaction || BatchFailure.failsBatch(error) { throw error }
                        job.fail(error)
                    }
                }
                return .commit
            }
            return nil
        } catch {
            return error
        }
    }
}

/// Which errors inside one request end the whole batch rather than only that request.
enum BatchFailure {
    static func failsBatch(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        switch error.resultCode {
        case .SQLITE_IOERR, .SQLITE_FULL, .SQLITE_CORRUPT, .SQLITE_NOTADB, .SQLITE_NOMEM, .SQLITE_BUSY, .SQLITE_LOCKED,
            .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_ABORT, .SQLITE_INTERRUPT:
            return true
        default:
            return false
        }
    }
}
