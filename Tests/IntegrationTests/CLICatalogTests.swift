import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore
import Testing

@Suite("sharebus catalog, as run from a shell", .timeLimit(.minutes(3)))
struct CLICatalogTests {
    static let catalogs = repositoryRoot.appendingPathComponent("Catalogs")

    /// The resource files of the repository's catalog folder and the code each declares.
    static func resourceFiles() throws -> [(file: String, code: String)] {
        try FileManager.default.contentsOfDirectory(atPath: catalogs.path)
            .filter { $0.hasSuffix(".json") && $0 != "departments.json" }.sorted()
            .map { file in
                let json = try StrictJSON.parse(Array(Data(contentsOf: catalogs.appendingPathComponent(file))))
                return (file, try #require(json["code"]?.stringValue, "\(file) has no code"))
            }
    }

    @Test("catalog validate passes the repository's catalog")
    func validateRepositoryCatalog() async throws {
        let result = try await CLI.run(["catalog", "validate", Self.catalogs.path])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("\(try Self.resourceFiles().count) resource files in \(Self.catalogs.path) are valid"))
    }

    @Test("catalog validate names the bad file, and only it, and exits non-zero")
    func validateNamesBadFile() async throws {
        let ws = try CLIWorkspace()
        defer { ws.remove() }
        let folder = ws.root.appendingPathComponent("catalog")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in ["base.divisions.json", "departments.json"] {
            try FileManager.default.copyItem(at: Self.catalogs.appendingPathComponent(file), to: folder.appendingPathComponent(file))
        }
        // A plausible resource with two mistakes: an unknown field type and no primary key.
        let good = try StrictJSON.parse(Array(Data(contentsOf: Self.catalogs.appendingPathComponent("base.divisions.json"))))
        guard case .object(var bad) = good, case .array(var fields) = bad["fields"], case .object(var first) = fields[0] else {
            Issue.record("base.divisions.json is not the expected shape")
            return
        }
        first["type"] = .string("colour")
        fields[0] = .object(first)
        bad["fields"] = .array(fields)
        bad["code"] = .string("base.broken")
        bad["primaryKey"] = nil
        try JSONEncoder().encode(JSONValue.object(bad)).write(to: folder.appendingPathComponent("broken.json"))

        let result = try await CLI.run(["catalog", "validate", folder.path])
        #expect(result.status != 0, "\(result)")
        let lines = result.stderrLines
        #expect(lines.last == "Error: 1 of 2 files in \(folder.path) are invalid", "\(result)")
        let problems = lines.dropLast()
        #expect(!problems.isEmpty)
        #expect(problems.allSatisfy { $0.hasPrefix("broken.json: ") }, "\(result)")
        #expect(problems.contains { $0.contains("colour") }, "the unknown type is named: \(result)")
        #expect(problems.contains { $0.contains("primaryKey") }, "the missing primary key is named: \(result)")
        #expect(!result.stderr.contains("base.divisions.json"))
    }

    @Test("catalog import creates every file, a second import changes nothing and audits nothing, catalog list lists every code")
    func importIsIdempotent() async throws {
        let ws = try CLIWorkspace()
        defer { ws.remove() }
        try await ws.succeed(["pki", "init"])
        _ = try await ws.addCatalogDepartments()
        let files = try Self.resourceFiles()

        let first = try await ws.succeed(["catalog", "import", Self.catalogs.path])
        #expect(first.lines == files.map { "created\t\($0.file)" }, "\(first)")
        let before = try await SQLiteStore(directory: ws.data).auditHead()

        let second = try await ws.succeed(["catalog", "import", Self.catalogs.path])
        #expect(second.lines == files.map { "unchanged\t\($0.file)" }, "\(second)")
        let after = try await SQLiteStore(directory: ws.data).auditHead()
        #expect(before != nil)
        #expect(after == before, "a second import wrote audit entries")

        let list = try await ws.succeed(["catalog", "list"])
        let listed = list.lines.map { String($0.prefix { $0 != "\t" }) }
        #expect(listed.sorted() == files.map(\.code).sorted(), "\(list)")
    }

    @Test("catalog import of a folder with a bad file imports nothing and names the file")
    func importRefusesBadFolder() async throws {
        let ws = try CLIWorkspace()
        defer { ws.remove() }
        try await ws.succeed(["pki", "init"])
        _ = try await ws.addCatalogDepartments()
        let folder = ws.root.appendingPathComponent("catalog")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in ["base.divisions.json", "departments.json"] {
            try FileManager.default.copyItem(at: Self.catalogs.appendingPathComponent(file), to: folder.appendingPathComponent(file))
        }
        try Data("{\"code\": \"base.half\",".utf8).write(to: folder.appendingPathComponent("half.json"))
        let before = try await SQLiteStore(directory: ws.data).auditHead()

        expectOneLineFailure(try await ws.sharebus(["catalog", "import", folder.path]), mentioning: ["nothing imported", "half.json"])
        #expect(try await ws.succeed(["catalog", "list"]).stdout.isEmpty)
        #expect(try await SQLiteStore(directory: ws.data).auditHead() == before)
    }
}
