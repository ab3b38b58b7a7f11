import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import Testing
import X509

@Suite("sharebus pki and dept, as run from a shell", .timeLimit(.minutes(3)))
struct CLIDepartmentTests {
    @Test("pki init and dept add write a department's credential, keys 0600, and dept list/show print it")
    func addDepartment() async throws {
        let ws = try CLIWorkspace()
        defer { ws.remove() }
        try await ws.succeed(["pki", "init"])
        let creditCode = TestDepartments.creditCode(7)
        let added = try await ws.addDepartment("yc.cli", name: "银川市测试局", creditCode: creditCode, roles: ["provider", "consumer"])
        #expect(added.status == 0, "\(added)")

        let directory = ws.departmentDirectory("yc.cli")
        #expect(FileManager.default.fileExists(atPath: directory + "/cert.pem"))
        for key in ["ca-key.pem", "bus/server-key.pem", "bus/bus-key.pem", "departments/yc.cli/key.pem"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: ws.certs + "/" + key)
            let mode = try #require(attributes[.posixPermissions] as? NSNumber).intValue
            #expect(mode == 0o600, "\(key) has mode \(String(mode, radix: 8))")
        }

        let certificate = try Certificate(pemEncoded: String(contentsOfFile: directory + "/cert.pem", encoding: .utf8))
        #expect(certificate.subjectCommonName == "yc.cli")
        #expect(certificate.subjectOrganization == "银川市测试局")
        #expect(certificate.principal == .department("yc.cli"))
        #expect(certificate.sanURIs == ["urn:sharebus:dept:yc.cli"])

        let list = try await ws.succeed(["dept", "list"])
        let columns = try #require(list.lines.only, "\(list)").split(separator: "\t").map(String.init)
        #expect(columns.count == 4, "\(list)")
        #expect(columns.first == "yc.cli")
        #expect(columns.dropFirst().first == "active")
        #expect(Set(columns.dropFirst(2).first?.split(separator: ",") ?? []) == ["provider", "consumer"])
        #expect(columns.last == "银川市测试局")

        let show = try await ws.succeed(["dept", "show", "yc.cli"])
        #expect(show.stdout.contains("id:          yc.cli"))
        #expect(show.stdout.contains("credit code: \(creditCode)"))
        #expect(show.stdout.contains("status:      active"))
        let certificateLine = try #require(show.lines.first { $0.contains(certificate.serialHex) }, "\(show)")
        #expect(certificateLine.contains("client"))
        #expect(certificateLine.hasSuffix("current"))
    }

    struct BadDepartment: Sendable, CustomTestStringConvertible {
        let label: String
        let id: String
        let creditCode: String
        let division: String
        let mentions: [String]
        var testDescription: String { label }
    }

    static let badDepartments = [
        BadDepartment(
            label: "credit code with a flipped check character", id: "yc.flip", creditCode: flipCheckCharacter(TestDepartments.creditCode(8)),
            division: "640100", mentions: ["/creditCode", "check character should be \(TestDepartments.creditCode(8).last!)"]),
        BadDepartment(
            label: "unknown division", id: "yc.nowhere", creditCode: TestDepartments.creditCode(9), division: "990100",
            mentions: ["/division", "990100 is not a GB/T 2260 division code"]),
        BadDepartment(
            label: "bad id", id: "Bad_ID", creditCode: TestDepartments.creditCode(10), division: "640100",
            mentions: ["/id", "must match [a-z0-9][a-z0-9.-]{1,63}"]),
    ]

    @Test("dept add refuses a bad department with one line saying why, and registers nothing", arguments: badDepartments)
    func refusedDepartment(_ bad: BadDepartment) async throws {
        let ws = try CLIWorkspace()
        defer { ws.remove() }
        try await ws.succeed(["pki", "init"])
        let result = try await ws.addDepartment(bad.id, name: "测试部门", creditCode: bad.creditCode, division: bad.division)
        expectOneLineFailure(result, mentioning: bad.mentions)
        #expect(try await ws.succeed(["dept", "list"]).stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: ws.departmentDirectory(bad.id)))
    }

    @Test("pki init a second time is refused and leaves the CA as it was")
    func pkiInitTwice() async throws {
        let ws = try CLIWorkspace()
        defer { ws.remove() }
        try await ws.succeed(["pki", "init"])
        let ca = try Data(contentsOf: URL(fileURLWithPath: ws.certs + "/ca.pem"))
        let caKey = try Data(contentsOf: URL(fileURLWithPath: ws.certs + "/ca-key.pem"))
        expectOneLineFailure(try await ws.sharebus(["pki", "init"]), mentioning: ["a platform CA already exists in \(ws.certs)"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: ws.certs + "/ca.pem")) == ca)
        #expect(try Data(contentsOf: URL(fileURLWithPath: ws.certs + "/ca-key.pem")) == caKey)
    }

    @Test("dept add before pki init says to run pki init")
    func addWithoutCA() async throws {
        let ws = try CLIWorkspace()
        defer { ws.remove() }
        let result = try await ws.addDepartment("yc.early", name: "测试部门", creditCode: TestDepartments.creditCode(12))
        expectOneLineFailure(result, mentioning: ["no platform CA", "sharebus pki init"])
        #expect(try await ws.succeed(["dept", "list"]).stdout.isEmpty)
    }

    @Test("dept show, suspend and pki revoke of something unknown fail with one line naming it")
    func unknownTargets() async throws {
        let ws = try CLIWorkspace()
        defer { ws.remove() }
        try await ws.succeed(["pki", "init"])
        expectOneLineFailure(try await ws.sharebus(["dept", "show", "nobody"]), mentioning: ["no department nobody"])
        expectOneLineFailure(try await ws.sharebus(["dept", "suspend", "nobody"]), mentioning: ["no department nobody"])
        expectOneLineFailure(try await ws.sharebus(["pki", "revoke", "deadbeef"]), mentioning: ["no certificate with serial deadbeef"])
    }
}

/// The same credit code with a different, still well-formed, check character.
func flipCheckCharacter(_ code: String) -> String {
    String(code.dropLast()) + (code.last == "0" ? "1" : "0")
}

extension Array {
    /// The one element, or nil when there are none or several.
    fileprivate var only: Element? { count == 1 ? first : nil }
}
