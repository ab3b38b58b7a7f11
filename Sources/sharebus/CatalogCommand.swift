import ArgumentParser
import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore

struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog", abstract: "Validate, import and list the resource catalog.",
        subcommands: [Import.self, Validate.self, List.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import every resource file of a folder. Idempotent; nothing is imported unless every file is valid.")
        @OptionGroup var state: StateOptions
        @Argument(help: "Folder of resource files (one resource a file).") var directory: String = "Catalogs"

        func run() async throws {
            let store = try state.openStore()
            let results = try await CatalogFolder(directory: directory).importAll(into: store)
            for (file, outcome) in results { print("\(outcome.rawValue)\t\(file)") }
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every resource file of a folder without importing; exits non-zero naming each bad file.")
        @Argument(help: "Folder of resource files.") var directory: String = "Catalogs"

        func run() async throws {
            let folder = CatalogFolder(directory: directory)
            let failures = try folder.validate()
            guard failures.isEmpty else {
                for (file, problems) in failures {
                    for problem in problems { FileHandle.standardError.write(Data("\(file): \(problem)\n".utf8)) }
                }
                throw CLIError("\(failures.count) of \(try folder.resourceFiles().count) files in \(directory) are invalid")
            }
            print("\(try folder.resourceFiles().count) resource files in \(directory) are valid")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the catalog as stored.")
        @OptionGroup var state: StateOptions

        func run() async throws {
            for r in try await state.openStore().resources(ResourceFilter(limit: 100_000)) {
                print("\(r.code)\tv\(r.version)\t\(r.status.rawValue)\t\(r.sharing.type.rawValue)\t\(r.provider)\t\(r.name)")
            }
        }
    }
}

/// A folder of catalog files: `*.json`, one resource each, and `departments.json` beside them.
struct CatalogFolder {
    let directory: String
    static let departmentsFile = "departments.json"

    func resourceFiles() throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".json") && $0 != Self.departmentsFile }.sorted()
        } catch {
            throw CLIError("cannot read the folder \(directory)")
        }
    }

    func load(_ file: String) throws -> JSONValue {
        let path = (directory as NSString).appendingPathComponent(file)
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
        do {
            return try StrictJSON.parse(Array(data))
        } catch {
            throw ShareBusError.invalidResource([FieldProblem(pointer: "", reason: "not valid JSON: \(error)")])
        }
    }

    /// Problems per file, checked against the schema rules and the folder's own `departments.json`.
    func validate() throws -> [(String, [String])] {
        let declared = try departments()
        let providers = declared.filter { $0.has(.provider) }.map(\.id)
        var failures: [(String, [String])] = []
        let departmentProblems = declared.flatMap { department in
            DepartmentValidator.validate(department).map { "department \(department.id): \($0)" }
        }
        if !departmentProblems.isEmpty { failures.append((Self.departmentsFile, departmentProblems)) }
        var codes: [String: String] = [:]
        for file in try resourceFiles() {
            do {
                let json = try load(file)
                var problems = ResourceValidator.validate(json, knownProviders: providers.isEmpty ? nil : Set(providers))
                    .map(\.description)
                if let code = json["code"]?.stringValue {
                    if let other = codes[code] { problems.append("code \(code) is also used by \(other)") }
                    if file != code + ".json" { problems.append("the file of resource \(code) must be named \(code).json") }
                    codes[code] = file
                }
                if !problems.isEmpty { failures.append((file, problems)) }
            } catch let error as ShareBusError {
                failures.append((file, error.problems.isEmpty ? [error.detail] : error.problems.map(\.description)))
            }
        }
        return failures
    }

    /// The departments the folder declares (empty when it has no `departments.json`).
    func departments() throws -> [Department] {
        let path = (directory as NSString).appendingPathComponent(Self.departmentsFile)
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        struct File: Decodable { var departments: [Entry] }
        struct Entry: Decodable {
            var id, name, creditCode, division: String
            var level: Department.Level
            var roles: [Department.Role]
        }
        do {
            return try JSONDecoder().decode(File.self, from: data).departments.map {
                Department(
                    id: $0.id, name: $0.name, creditCode: $0.creditCode, level: $0.level, division: $0.division, roles: $0.roles,
                    createdAt: Timestamp.format(Date()))
            }
        } catch {
            throw CLIError("\(path) is not a valid departments file: \(error)")
        }
    }

    /// Validates the whole folder first, then imports file by file.
    func importAll(into store: any ShareBusStore) async throws -> [(String, CatalogService.ImportOutcome)] {
        let failures = try validate()
        guard failures.isEmpty else {
            let names = failures.map(\.0).joined(separator: ", ")
            throw CLIError("nothing imported: \(failures.count) invalid files (\(names)); run `sharebus catalog validate \(directory)`")
        }
        // Every provider must be registered before anything is imported, so an import is all or nothing.
        for file in try resourceFiles() {
            guard let provider = try load(file)["provider"]?.stringValue else { continue }
            guard let department = try await store.department(id: provider), department.has(.provider) else {
                throw CLIError("nothing imported: \(file) names provider \(provider), which is not a registered provider department")
            }
        }
        let catalog = CatalogService(store: store, clock: SystemClock())
        var results: [(String, CatalogService.ImportOutcome)] = []
        for file in try resourceFiles() {
            do {
                results.append((file, try await catalog.importResource(try load(file), actor: cliActor)))
            } catch let error as ShareBusError {
                throw CLIError("\(file): \(error.detail)")
            }
        }
        return results
    }
}
