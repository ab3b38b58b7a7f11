import ArgumentParser
import Foundation
import ShareBusCore
import ShareBusStore

struct DepartmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dept", abstract: "Register and manage departments.",
        subcommands: [Add.self, List.self, Show.self, Suspend.self, Resume.self, AddSigningKeyCommand.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a department and issue its client certificate.")
        @OptionGroup var state: StateOptions
        @Option(help: "Department id, [a-z0-9][a-z0-9.-]{1,63}.") var id: String
        @Option(help: "Full name.") var name: String
        @Option(help: "Unified social credit code (GB 32100).") var creditCode: String
        @Option(help: "national, provincial, municipal, county or township.") var level: Department.Level
        @Option(help: "GB/T 2260 division code.") var division: String
        @Option(name: .customLong("role"), help: "provider, consumer, steward or portal (repeatable).")
        var roles: [Department.Role]

        func run() async throws {
            let store = try state.openStore()
            let department = Department(
                id: id, name: name, creditCode: creditCode, level: level, division: division, roles: roles,
                createdAt: Timestamp.format(Date()))
            try await Provisioning(pki: state.pki, store: store).addDepartment(department, ca: try state.pki.loadCA())
            print("Registered \(id); its certificate and key are in \(state.pki.departmentDirectory(id))/")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List departments.")
        @OptionGroup var state: StateOptions

        func run() async throws {
            let departments = try await state.openStore().departments(limit: 10_000, after: nil)
            for d in departments {
                print("\(d.id)\t\(d.status.rawValue)\t\(d.roles.map(\.rawValue).joined(separator: ","))\t\(d.name)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a department and its certificates.")
        @OptionGroup var state: StateOptions
        @Argument(help: "Department id.") var id: String

        func run() async throws {
            let store = try state.openStore()
            guard let d = try await store.department(id: id) else { throw CLIError("no department \(id)") }
            print("id:          \(d.id)\nname:        \(d.name)\ncredit code: \(d.creditCode)")
            print("level:       \(d.level.rawValue)\ndivision:    \(d.division)\nroles:       \(d.roles.map(\.rawValue).joined(separator: ", "))")
            print("status:      \(d.status.rawValue)\ncertificates:")
            for c in try await store.certificates(principal: Principal.department(id).uri) {
                let state = c.revokedAt != nil ? "revoked" : (c.isCurrent(at: Date()) ? "current" : "expired")
                print("  \(c.serial)  \(c.kind.rawValue)  until \(Timestamp.format(c.notAfter))  \(state)")
            }
        }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Suspend a department: every call it makes answers 403.")
        @OptionGroup var state: StateOptions
        @Argument(help: "Department id.") var id: String
        func run() async throws { try await setStatus(state, id, .suspended, "department.suspend") }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a suspended department.")
        @OptionGroup var state: StateOptions
        @Argument(help: "Department id.") var id: String
        func run() async throws { try await setStatus(state, id, .active, "department.resume") }
    }
}

private func setStatus(_ state: StateOptions, _ id: String, _ status: Department.Status, _ action: String) async throws {
    let department = try await state.openStore().setDepartmentStatus(
        id: id, status: status, audit: AuditEvent(at: Date(), actor: cliActor, action: action, target: id))
    print("\(department.id) is \(department.status.rawValue)")
}
