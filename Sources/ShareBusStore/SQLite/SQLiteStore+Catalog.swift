public import Foundation
import GRDB
public import ShareBusCore

extension SQLiteStore {
    public func resourceVersions(code: String) async throws -> [Resource] {
        try await pool.read { db in try Self.versions(code: code, in: db) }
    }

    public func resources(_ filter: ResourceFilter) async throws -> [Resource] {
        try await pool.read { db in
            var sql = "SELECT body FROM resource_version WHERE code > ?"
            var arguments: StatementArguments = [filter.after ?? ""]
            if let category = filter.category {
                sql += " AND category = ?"
                _ = arguments.append(contentsOf: [category.rawValue])
            }
            if let provider = filter.provider {
                sql += " AND provider = ?"
                _ = arguments.append(contentsOf: [provider])
            }
            if let status = filter.status {
                sql += " AND status = ?"
                _ = arguments.append(contentsOf: [status.rawValue])
            }
            sql += " ORDER BY code, version"
            let all = try String.fetchAll(db, sql: sql, arguments: arguments).map(Self.decodeResource)
            return filter.newestMatching(all)
        }
    }

    public func changeResource(
        code: String, audit: AuditEvent, _ change: @Sendable ([Resource]) throws -> ResourceChange
    ) async throws -> Resource {
        try await mapErrors {
            try await pool.write { db in
                let versions = try Self.versions(code: code, in: db)
                switch try change(versions) {
                case .unchanged(let resource):
                    return resource
                case .insert(let resource):
                    try Self.insert(resource, in: db)
                    try AuditChain.append(audit, in: db)
                    return resource
                case .replaceLatest(let resource):
                    try db.execute(
                        sql: "DELETE FROM resource_version WHERE code = ? AND version = ?",
                        arguments: [resource.code, resource.version])
                    try Self.insert(resource, in: db)
                    try AuditChain.append(audit, in: db)
                    return resource
                }
            }
        }
    }

    static func versions(code: String, in db: Database) throws -> [Resource] {
        try String.fetchAll(db, sql: "SELECT body FROM resource_version WHERE code = ? ORDER BY version", arguments: [code])
            .map(decodeResource)
    }

    static func insert(_ resource: Resource, in db: Database) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = String(decoding: try encoder.encode(resource), as: UTF8.self)
        try db.execute(
            sql: "INSERT INTO resource_version (code, version, status, category, provider, body) VALUES (?,?,?,?,?,?)",
            arguments: [resource.code, resource.version, resource.status.rawValue, resource.category.rawValue, resource.provider, body])
    }

    static func decodeResource(_ body: String) throws -> Resource {
        try JSONDecoder().decode(Resource.self, from: Data(body.utf8))
    }
}
