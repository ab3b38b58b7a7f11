public import Foundation
import Logging
import PostgresNIO
public import ShareBusCore
public import ShareBusStore

extension PostgresStore {
    public func resourceVersions(code: String) async throws -> [Resource] {
        try await rows("SELECT body FROM resource_version WHERE code = \(code) ORDER BY version").map { try Self.decodeResource($0.decode(String.self)) }
    }

    public func resources(_ filter: ResourceFilter) async throws -> [Resource] {
        var sql = "SELECT body FROM resource_version WHERE code > $1"
        var binds = Self.binds(filter.after ?? "")
        for (column, value) in [("category", filter.category?.rawValue), ("provider", filter.provider), ("status", filter.status?.rawValue)] {
            guard let value else { continue }
            binds.append(value)
            sql += " AND \(column) = $\(binds.count)"
        }
        sql += " ORDER BY code, version"
        let all = try await rows(PostgresQuery(unsafeSQL: sql, binds: binds)).map { try Self.decodeResource($0.decode(String.self)) }
        return filter.newestMatching(all)
    }

    /// The rule runs under a transaction-scoped advisory lock on the code, so two nodes changing
    /// the same resource take turns and the second sees the first's version.
    ///
    /// The rule is not escaping, so this transaction runs in the caller's task rather than under
    /// `operationTimeout`; a quick probe first answers `storage-unavailable` while the database is away,
    /// and the server's `statement_timeout` bounds the rest.
    public func changeResource(
        code: String, audit: AuditEvent, _ change: @Sendable ([Resource]) throws -> ResourceChange
    ) async throws -> Resource {
        _ = try await rows("SELECT 1")
        do {
            return try await client.withConnection { [logger] connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    let resource = try await Self.change(code: code, audit: audit, change, on: connection, logger: logger)
                    try await connection.query("COMMIT", logger: logger)
                    return resource
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch {
            throw StoreFailure.map(error)
        }
    }

    private static func change(
        code: String, audit: AuditEvent, _ change: ([Resource]) throws -> ResourceChange, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> Resource {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\("resource:" + code), 0))", logger: logger)
        var versions: [Resource] = []
        for try await body in try await connection.query(
            "SELECT body FROM resource_version WHERE code = \(code) ORDER BY version", logger: logger
        ).decode(String.self) { versions.append(try Self.decodeResource(body)) }
        switch try change(versions) {
        case .unchanged(let resource):
            return resource
        case .insert(let resource):
            try await Self.insert(resource, on: connection, logger: logger)
            try await AuditChain.append(audit, on: connection, logger: logger)
            return resource
        case .replaceLatest(let resource):
            try await connection.query(
                "DELETE FROM resource_version WHERE code = \(resource.code) AND version = \(Int64(resource.version))", logger: logger)
            try await Self.insert(resource, on: connection, logger: logger)
            try await AuditChain.append(audit, on: connection, logger: logger)
            return resource
        }
    }

    static func insert(_ resource: Resource, on connection: PostgresConnection, logger: Logger) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = String(decoding: try encoder.encode(resource), as: UTF8.self)
        try await connection.query(
            """
            INSERT INTO resource_version (code, version, status, category, provider, body)
            VALUES (\(resource.code), \(Int64(resource.version)), \(resource.status.rawValue), \(resource.category.rawValue),
                \(resource.provider), \(body))
            """, logger: logger)
    }

    static func decodeResource(_ body: String) throws -> Resource {
        try JSONDecoder().decode(Resource.self, from: Data(body.utf8))
    }
}
