public import Foundation
import PostgresNIO
public import ShareBusCore
public import ShareBusStore

extension PostgresStore {
    static let departmentColumns = "id, name, credit_code, level, division, roles, status, created_at"

    public func createDepartment(_ department: Department, audit: AuditEvent) async throws {
        do {
            try await writeAudited(audit) { [logger] connection in
                // Two nodes registering at once: the unique constraints decide, mapped below.
                let rows = try await connection.query(
                    "SELECT id FROM department WHERE id = \(department.id) OR credit_code = \(department.creditCode)", logger: logger
                ).collect()
                if let existing = try rows.first?.decode(String.self) {
                    throw existing == department.id
                        ? ShareBusError.alreadyExists("department \(department.id) already exists")
                        : ShareBusError.alreadyExists("another department has credit code \(department.creditCode)")
                }
                try await connection.query(
                    """
                    INSERT INTO department (id, name, credit_code, level, division, roles, status, created_at)
                    VALUES (\(department.id), \(department.name), \(department.creditCode), \(department.level.rawValue),
                        \(department.division), \(department.roles.map(\.rawValue).joined(separator: ",")), \(department.status.rawValue),
                        \(department.createdAt))
                    """, logger: logger)
            }
        } catch where StoreFailure.isUniqueViolation(error) {
            throw ShareBusError.alreadyExists("department \(department.id) or its credit code is already registered")
        }
    }

    public func department(id: String) async throws -> Department? {
        try await rows(PostgresQuery(unsafeSQL: "SELECT \(Self.departmentColumns) FROM department WHERE id = $1", binds: Self.binds(id)))
            .first.map(Self.department)
    }

    public func departments(limit: Int, after: String?) async throws -> [Department] {
        try await rows(
            PostgresQuery(
                unsafeSQL: "SELECT \(Self.departmentColumns) FROM department WHERE id > $1 ORDER BY id LIMIT $2",
                binds: Self.binds(after ?? "", Int64(limit)))
        ).map(Self.department)
    }

    public func setDepartmentStatus(id: String, status: Department.Status, audit: AuditEvent) async throws -> Department {
        try await writeAudited(audit) { [logger] connection in
            let rows = try await connection.query(
                PostgresQuery(
                    unsafeSQL: "UPDATE department SET status = $1 WHERE id = $2 RETURNING \(Self.departmentColumns)",
                    binds: Self.binds(status.rawValue, id)), logger: logger
            ).collect()
            guard let row = rows.first else { throw ShareBusError(.departmentNotFound, "no department \(id)") }
            return try Self.department(row)
        }
    }

    static func department(_ row: PostgresRow) throws -> Department {
        let (id, name, creditCode, levelText, division, roles, statusText, createdAt) = try row.decode(
            (String, String, String, String, String, String, String, String).self)
        guard let level = Department.Level(rawValue: levelText), let status = Department.Status(rawValue: statusText) else {
            throw ShareBusError(.internalError, "stored department \(id) is unreadable")
        }
        return Department(
            id: id, name: name, creditCode: creditCode, level: level, division: division,
            roles: roles.split(separator: ",").compactMap { Department.Role(rawValue: String($0)) }, status: status, createdAt: createdAt)
    }

    /// Bindings for a query whose SQL is built as text (column lists, optional filters).
    static func binds(_ values: any PostgresDynamicTypeEncodable...) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values { binds.append(value) }
        return binds
    }
}
