/// Whether the store may still write, after what its writes have answered.
///
/// An I/O error from a write or a commit (a failed `pwrite` or `fsync`) leaves the file in a state
/// the running process cannot trust: after a failed fsync the kernel may already have dropped the
/// dirty pages, so a later successful fsync would prove nothing. Like PostgreSQL after an fsync
/// failure, the store then refuses every further write until the process restarts and SQLite's
/// WAL recovery runs on reopening. A full disk is different: nothing was half-written, so writes are
/// refused while it lasts and succeed again by themselves once space is freed.
struct StorageHealth: Sendable, Equatable {
    /// What a write failed with, as far as the latch cares.
    enum Failure: Sendable, Equatable {
        /// SQLITE_IOERR (any extended code): the file can no longer be trusted.
        case ioError(String)
        /// SQLITE_FULL: transient.
        case diskFull
        /// Anything else (busy, a constraint, a domain rule): says nothing about the file.
        case other
    }

    /// What the store does after recording a failure.
    enum Action: Sendable, Equatable {
        /// Answer `storage-unavailable` for this write only.
        case refuseThisWrite
        /// The store has just latched: log that a restart is needed, then refuse.
        case latchAndRefuse(reason: String)
        /// Nothing to do beyond passing the error on.
        case none
    }

    /// Set once by the first I/O error; never cleared in this process.
    private(set) var latchedReason: String?

    var acceptsWrites: Bool { latchedReason == nil }

    mutating func record(_ failure: Failure) -> Action {
        switch failure {
        case .ioError(let reason):
            guard latchedReason == nil else { return .refuseThisWrite }
            latchedReason = reason
            return .latchAndRefuse(reason: reason)
        case .diskFull:
            return .refuseThisWrite
        case .other:
            return .none
        }
    }
}
