import PostgresNIO
import ShareBusCore
import ShareBusStore

extension PostgresStore {
    /// Appends `value` as the PostgreSQL column type `type` (information_schema's name) needs it.
    static func bind(_ value: SQLiteExport.Value, as type: String, into bindings: inout PostgresBindings, column: String) throws {
        func refuse() -> ShareBusError {
            ShareBusError(.invalidParameter, "\(column) holds \(value), which does not fit the target column's type \(type)")
        }
        switch (value, type) {
        case (.null, _): bindings.appendNull()
        case (.text(let text), "text"): bindings.append(text)
        case (.integer(let number), "text"): bindings.append(String(number))
        case (.integer(let number), "bigint"): bindings.append(number)
        case (.real(let number), "bigint"):
            guard let exact = Int64(exactly: number) else { throw refuse() }
            bindings.append(exact)
        case (.integer(let number), "integer"):
            guard let exact = Int32(exactly: number) else { throw refuse() }
            bindings.append(exact)
        case (.real(let number), "double precision"): bindings.append(number)
        case (.integer(let number), "double precision"): bindings.append(Double(number))
        case (.integer(let number), "boolean"): bindings.append(number != 0)
        default: throw refuse()
        }
    }

    /// The database's own message for a failed statement, rather than a generic description.
    static func readable(_ error: any Error) -> any Error {
        guard let failure = error as? PSQLError else { return error }
        let message = failure.serverInfo?[.message] ?? "\(failure.code)"
        let detail = failure.serverInfo?[.detail].map { " (\($0))" } ?? ""
        return ShareBusError(.storageUnavailable, "PostgreSQL refused the copy: \(message)\(detail)")
    }
}
