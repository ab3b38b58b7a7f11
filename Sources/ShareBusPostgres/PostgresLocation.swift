public import Foundation
import PostgresNIO
public import ShareBusCore

/// Where the PostgreSQL store lives, parsed from a libpq-style URL:
/// `postgres://user:password@host:port/database?sslmode=disable|require`.
///
/// `sslmode` follows libpq's names; `require` encrypts without checking the server's name, which
/// is what libpq does too. Unknown query items are refused rather than silently ignored.
public struct PostgresLocation: Sendable, Hashable {
    public enum TLSMode: String, Sendable { case disable, require }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    public init(url text: String) throws {
        guard let components = URLComponents(string: text),
            let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql"
        else {
            throw ShareBusError(.invalidParameter, "the store URL must start with postgres:// (got \(Self.redacted(text)))")
        }
        guard let host = components.host, !host.isEmpty else {
            throw ShareBusError(.invalidParameter, "the store URL names no host")
        }
        self.host = host
        port = components.port ?? 5432
        username = components.user ?? "postgres"
        password = components.password
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? username : path
        tls = .disable
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                    throw ShareBusError(.invalidParameter, "sslmode must be disable or require")
                }
                tls = mode
            default:
                throw ShareBusError(.invalidParameter, "unknown store URL parameter \(item.name)")
            }
        }
    }

    /// The URL with its password replaced, for logs and error messages.
    public static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? "postgres://***"
    }

    /// The URL again, password hidden, for logs.
    public var redacted: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
    }

    /// The pool configuration for postgres-nio, with the store's timeouts.
    func clientConfiguration(_ store: PostgresStoreConfiguration) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database,
            tls: tls == .require ? .require(.makeClientConfiguration()) : .disable)
        configuration.options.connectTimeout = store.connectTimeout
        configuration.options.maximumConnections = store.maximumConnections
        configuration.options.additionalStartupParameters = [("options", Self.sessionOptions(store))]
        return configuration
    }

    /// Server-side limits, so a statement stuck on a lock or a slow disk ends on the server too.
    static func sessionOptions(_ store: PostgresStoreConfiguration) -> String {
        let limit = store.statementTimeout.milliseconds
        return "-c statement_timeout=\(limit) -c lock_timeout=\(limit) -c idle_in_transaction_session_timeout=\(limit * 3)"
    }
}
