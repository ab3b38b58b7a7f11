public import Foundation
import GRDB
public import ShareBusCore

extension SQLiteStore {
    public func createDepartment(_ department: Department, audit: AuditEvent) async throws {
        try await writeAudited(audit) { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM department WHERE id = ?", arguments: [department.id]) == true {
                throw ShareBusError.alreadyExists("department \(department.id) already exists")
            }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM department WHERE credit_code = ?", arguments: [department.creditCode]) == true {
                throw ShareBusError.alreadyExists("another department has credit code \(department.creditCode)")
            }
            try db.execute(
                sql: """
                    INSERT INTO department (id, name, credit_code, level, division, roles, status, created_at)
                    VALUES (?,?,?,?,?,?,?,?)
                    """,
                arguments: [
                    department.id, department.name, department.creditCode, department.level.rawValue,
                    department.division, department.roles.map(\.rawValue).joined(separator: ","),
                    department.status.rawValue, department.createdAt,
                ])
        }
    }

    public func department(id: String) async throws -> Department? {
        try await pool.read { db in try Self.department(id: id, in: db) }
    }

    static func department(id: String, in db: Database) throws -> Department? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM department WHERE id = ?"), arguments: [id]).map(Self.department)
    }

    public func departments(limit: Int, after: String?) async throws -> [Department] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM department WHERE id > ? ORDER BY id LIMIT ?", arguments: [after ?? "", limit]
            ).map(Self.department)
        }
    }

    public func setDepartmentStatus(id: String, status: Department.Status, audit: AuditEvent) async throws -> Department {
        try await writeAudited(audit) { db in
            try db.execute(sql: "UPDATE department SET status = ? WHERE id = ?", arguments: [status.rawValue, id])
            guard db.changesCount == 1,
                let row = try Row.fetchOne(db, sql: "SELECT * FROM department WHERE id = ?", arguments: [id])
            else { throw ShareBusError(.departmentNotFound, "no department \(id)") }
            return try Self.department(row)
        }
    }

    static func department(_ row: Row) throws -> Department {
        let roles: String = row["roles"]
        guard let level = Department.Level(rawValue: row["level"]), let status = Department.Status(rawValue: row["status"]) else {
            throw ShareBusError(.internalError, "stored department \(row["id"] as String? ?? "?") is unreadable")
        }
        return Department(
            id: row["id"], name: row["name"], creditCode: row["credit_code"], level: level, division: row["division"],
            roles: roles.split(separator: ",").compactMap { Department.Role(rawValue: String($0)) }, status: status,
            createdAt: row["created_at"])
    }
}
