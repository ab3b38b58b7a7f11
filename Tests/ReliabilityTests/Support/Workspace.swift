import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import X509

/// A fresh temporary folder with a platform set up as a person would with the CLI: a PKI, a provider and a
/// consumer, and one unconditional resource of the provider. `data/` may be a mount point of its own.
struct Workspace: Sendable {
    static let provider = "rel.prov"
    static let consumer = "rel.cons"
    static let resource = "rel.items"

    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sharebus-rel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    var data: String { root.appendingPathComponent("data").path }
    var certs: String { root.appendingPathComponent("Certs").path }
    var database: String { data + "/sharebus.sqlite" }
    var state: [String] { ["--data", data, "--certs", certs] }
    func departmentDirectory(_ id: String) -> String { certs + "/departments/" + id }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// Runs a state-keeping subcommand against this workspace.
    func sharebus(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> CommandResult {
        try await Command.run(arguments + state, in: root, timeout: timeout)
    }

    /// Like `sharebus` but throws unless the command succeeds.
    @discardableResult
    func succeed(_ arguments: [String]) async throws -> CommandResult {
        let result = try await sharebus(arguments)
        guard result.status == 0 else { throw ReliabilityFailure("sharebus \(arguments.joined(separator: " ")): \(result)") }
        return result
    }

    /// `pki init`, the two departments, and `catalog import` of a folder holding only the resource.
    func prepare() async throws {
        try await succeed(["pki", "init"])
        for (id, name, code, role) in [
            (Self.provider, "可靠性测试提供部门", 51, "provider"), (Self.consumer, "可靠性测试使用部门", 52, "consumer"),
        ] {
            try await succeed([
                "dept", "add", "--id", id, "--name", name, "--credit-code", TestDepartments.creditCode(code), "--level", "municipal",
                "--division", "640100", "--role", role,
            ])
        }
        let folder = root.appendingPathComponent("catalog")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(try CanonicalJSON.serialize(Self.resourceJSON)).write(to: folder.appendingPathComponent("\(Self.resource).json"))
        try await succeed(["catalog", "import", folder.path])
    }

    static var resourceJSON: JSONValue {
        TestItems.resourceJSON(code: resource, provider: provider, name: "可靠性条目", description: "故障测试用资源")
    }

    static func record(_ code: String, _ value: Int64) -> JSONValue { TestItems.record(code, value) }

    static func upsert(_ code: String, _ value: Int64) -> JSONValue { TestItems.upsert(code, value) }

    /// Signs envelopes with the provider's TLS key and certificate, as `dept add` wrote them.
    func envelopeBuilder() throws -> EnvelopeBuilder {
        try EnvelopeBuilder(departmentDirectory: departmentDirectory(Self.provider))
    }

    func busCertificate() throws -> Certificate {
        try Certificate(pemEncoded: String(contentsOfFile: certs + "/bus/bus.pem", encoding: .utf8))
    }

    /// An HTTPS client for department `id` against `server`.
    func client(_ id: String, _ server: BusServer) throws -> PEMFileClient {
        try PEMFileClient(port: server.port, certs: certs, department: id)
    }
}
