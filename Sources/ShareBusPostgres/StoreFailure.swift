import PostgresNIO
import ShareBusCore

/// Which database failures mean "the store is away" (answered `storage-unavailable`, 503) and which
/// pass on as they are (a domain rule, a constraint, a bug).
enum StoreFailure {
    static func map(_ error: any Error) -> any Error {
        switch error {
        case let error as ShareBusError:
            return error
        case let error as Deadline.Exceeded:
            return ShareBusError(.storageUnavailable, "the database did not answer within \(error.limit)")
        case is PostgresDecodingError:
            return error
        case let error as PSQLError:
            guard error.code == .server else {
                return ShareBusError(.storageUnavailable, "lost the connection to the database (\(error.code))")
            }
            let state = sqlState(error) ?? ""
            if unavailable(sqlState: state) {
                return ShareBusError(.storageUnavailable, "the database refused the operation (SQLSTATE \(state))")
            }
            return error
        default:
            // Connection pool failures (a tripped circuit breaker) and socket errors.
            return ShareBusError(.storageUnavailable, "cannot reach the database (\(type(of: error)))")
        }
    }

    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// Connection exceptions (08), operator intervention (57: shutdown, cancel, timeouts),
    /// insufficient resources (53) and transaction rollbacks (40: serialisation, deadlock).
    static func unavailable(sqlState: String) -> Bool {
        ["08", "57", "53", "40", "55P03"].contains { sqlState.hasPrefix($0) }
    }

    static func isUniqueViolation(_ error: any Error) -> Bool { sqlState(error) == "23505" }
}
