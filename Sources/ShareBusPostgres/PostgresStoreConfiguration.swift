/// How the PostgreSQL store talks to its database. Built once from flags or the environment.
public struct PostgresStoreConfiguration: Sendable {
    /// The most connections this node's pool opens. Default 10.
    public var maximumConnections: Int = 10
    /// How long opening one connection may take. Default 3 seconds.
    public var connectTimeout: Duration = .seconds(3)
    /// How long one store operation may take, waiting for a connection included, before it answers
    /// `storage-unavailable` instead of hanging. Default 10 seconds.
    public var operationTimeout: Duration = .seconds(10)
    /// `statement_timeout` and `lock_timeout` set on every connection, so the server gives up too.
    /// Default 10 seconds.
    public var statementTimeout: Duration = .seconds(10)
    /// How long the readiness probe waits for an answer. Default 1 second.
    public var probeTimeout: Duration = .seconds(1)
    /// The LISTEN/NOTIFY channel on which committed log heads are announced. Default `sharebus_log`.
    public var channel: String = "sharebus_log"
    /// How long the listener waits before connecting again after losing its connection. Default 1 second.
    public var listenRetry: Duration = .seconds(1)

    public init() {}
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
