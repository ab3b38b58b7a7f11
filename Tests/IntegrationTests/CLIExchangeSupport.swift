import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import Testing
import X509

/// A workspace set up as a person would with the CLI for an exchange: a PKI, a provider and a consumer,
/// and one unconditional resource of the provider imported from a catalog folder.
enum CLIExchange {
    static let provider = "cli.prov"
    static let consumer = "cli.cons"
    static let resource = "test.items"

    static var resourceJSON: JSONValue {
        TestItems.resourceJSON(code: resource, provider: provider, name: "测试条目", description: "命令行交换测试用资源")
    }

    static func record(_ code: String, _ value: Int64) -> JSONValue { TestItems.record(code, value) }

    static func upsert(_ code: String, _ value: Int64) -> JSONValue { TestItems.upsert(code, value) }

    /// `pki init`, the two departments, and `catalog import` of a folder holding only `resourceJSON`.
    static func prepare(_ ws: CLIWorkspace, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await ws.succeed(["pki", "init"], sourceLocation: sourceLocation)
        let added = [
            try await ws.addDepartment(provider, name: "测试提供部门", creditCode: TestDepartments.creditCode(41), roles: ["provider"]),
            try await ws.addDepartment(consumer, name: "测试使用部门", creditCode: TestDepartments.creditCode(42), roles: ["consumer"]),
        ]
        for result in added { #expect(result.status == 0, "dept add: \(result)", sourceLocation: sourceLocation) }
        let folder = ws.root.appendingPathComponent("catalog")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(try CanonicalJSON.serialize(resourceJSON)).write(to: folder.appendingPathComponent("\(resource).json"))
        let imported = try await ws.succeed(["catalog", "import", folder.path], sourceLocation: sourceLocation)
        #expect(imported.lines == ["created\t\(resource).json"], "\(imported)", sourceLocation: sourceLocation)
    }

    /// `--cert --key --url --cacert` for department `id` against a server on `port`.
    static func clientArguments(_ ws: CLIWorkspace, port: Int, department id: String) -> [String] {
        let directory = ws.departmentDirectory(id)
        return [
            "--cert", directory + "/cert.pem", "--key", directory + "/key.pem", "--url", "https://localhost:\(port)", "--cacert",
            ws.certs + "/ca.pem",
        ]
    }

    /// The bus signing certificate `pki init` wrote.
    static func busCertificate(_ ws: CLIWorkspace) throws -> Certificate {
        try Certificate(pemEncoded: String(contentsOfFile: ws.certs + "/bus/bus.pem", encoding: .utf8))
    }

    /// Subscribes the consumer to the resource for pull delivery from sequence 1; answers the subscription id.
    static func subscribe(_ consumer: PEMFileClient, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let reply = try await consumer.post(
            "/v1/subscriptions",
            json: .object([
                "resource": .string(resource), "fields": .array([.string("value")]), "permissions": .array([.string("pull")]),
                "purpose": .string("命令行交换测试"), "delivery": .object(["mode": .string("pull")]),
            ]))
        #expect(reply.status == 201, "subscribe: \(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.json?["status"]?.stringValue == "active", "an unconditional resource is active at once", sourceLocation: sourceLocation)
        return try #require(reply.json?["id"]?.stringValue, "no subscription id in \(reply.text)", sourceLocation: sourceLocation)
    }

    /// Runs `/usr/bin/sqlite3` on a file, as someone with the file in hand would.
    static func sqlite(_ path: String, _ sql: String) async throws -> CLI.Result {
        try await CLI.run([path, sql], executable: URL(fileURLWithPath: "/usr/bin/sqlite3"), timeout: .seconds(20))
    }
}
