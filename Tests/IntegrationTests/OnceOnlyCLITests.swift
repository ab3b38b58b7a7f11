import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import Testing

@Suite("Once-only with the real binary: the subject key on disk, evidence fetched from the bus", .timeLimit(.minutes(3)))
struct OnceOnlyCLITests {
    static let provider = "cli.amr"
    static let consumer = "cli.tax"
    static let portal = "cli.portal"
    static let resource = "test.firms"
    static let firm = TestDepartments.creditCode(81)

    /// Firms keyed by credit code, with a name, shared unconditionally.
    static var resourceJSON: JSONValue {
        .object([
            "code": .string(resource), "name": .string("测试法人"), "category": .string("legal-person"), "provider": .string(provider),
            "description": .string("命令行核验测试用资源"), "primaryKey": .string("creditCode"),
            "fields": .array([
                .object([
                    "name": .string("creditCode"), "title": .string("统一社会信用代码"), "type": .string("creditCode"), "required": .bool(true),
                    "sensitivity": .string("L1"),
                ]),
                .object([
                    "name": .string("name"), "title": .string("名称"), "type": .string("string"), "required": .bool(true), "sensitivity": .string("L1"),
                ]),
            ]),
            "sharing": .object(["type": .string("unconditional"), "basis": .string("测试")]),
            "open": .bool(false), "updateCycle": .string("realtime"), "version": .integer(1), "status": .string("published"),
        ])
    }

    @Test("pki init keeps the subject key outside the database; the access log survives a restart; serve refuses to run without the key")
    func subjectKeyAndEvidence() async throws {
        let ws = try CLIWorkspace()
        defer { ws.remove() }
        try await ws.succeed(["pki", "init"])
        let keyFile = ws.certs + "/bus/subject-key"
        let attributes = try FileManager.default.attributesOfItem(atPath: keyFile)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect((attributes[.size] as? NSNumber)?.intValue == 32)
        for (id, role, number) in [(Self.provider, "provider", 82), (Self.consumer, "consumer", 83), (Self.portal, "portal", 84)] {
            let added = try await ws.addDepartment(id, name: "测试部门 \(id)", creditCode: TestDepartments.creditCode(number), roles: [role])
            #expect(added.status == 0, "\(added)")
        }
        let folder = ws.root.appendingPathComponent("catalog")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(try CanonicalJSON.serialize(Self.resourceJSON)).write(to: folder.appendingPathComponent("\(Self.resource).json"))
        try await ws.succeed(["catalog", "import", folder.path])
        try Data(
            try CanonicalJSON.serialize(
                .object([
                    "resource": .string(Self.resource),
                    "operations": .array([
                        .object(["op": .string("upsert"), "record": .object(["creditCode": .string(Self.firm), "name": .string("宁夏测试商贸有限公司")])])
                    ]),
                ]))
        ).write(to: URL(fileURLWithPath: ws.path("firms.json")))

        try await CLI.withServer(["--port", "0"] + ws.state, in: ws.root) { server in
            let pushed = try await CLI.run(
                ["push", ws.path("firms.json")] + CLIExchange.clientArguments(ws, port: server.port, department: Self.provider), in: ws.root)
            #expect(pushed.status == 0, "\(pushed)")
            let consumer = try PEMFileClient(port: server.port, workspace: ws, department: Self.consumer)
            let subscribed = try await consumer.post(
                "/v1/subscriptions",
                json: .object([
                    "resource": .string(Self.resource), "fields": .array([.string("name")]), "permissions": .array([.string("verify")]),
                    "purpose": .string("纳税人登记"),
                ]))
            #expect(subscribed.status == 201, "\(subscribed.text)")
            let answer = try await consumer.post(
                "/v1/verify",
                json: .object([
                    "resource": .string(Self.resource), "key": .string(Self.firm.lowercased()), "claims": .object(["name": .string("宁夏测试商贸有限公司 ")]),
                    "purpose": .string("核验纳税人名称"),
                ]))
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.json?["result"] == .string("match"))
            try Data(answer.body).write(to: URL(fileURLWithPath: ws.path("answer.json")))

            // The bus certificate fetched from the running bus (over mutual TLS), checked against the CA.
            let directory = ws.departmentDirectory(Self.consumer)
            let fetched = try await CLI.run(
                [
                    "evidence", "verify", ws.path("answer.json"), "--ca", ws.certs + "/ca.pem", "--url", "https://localhost:\(server.port)",
                    "--cert", directory + "/cert.pem", "--key", directory + "/key.pem",
                ], in: ws.root)
            #expect(fetched.status == 0, "\(fetched)")
            #expect(try StrictJSON.parse(Array(fetched.stdout.utf8))["caller"] == .string("urn:sharebus:dept:\(Self.consumer)"), "\(fetched)")
        }
        // Offline, with the defaults: Certs/ca.pem and Certs/bus/bus.pem beside it.
        let offline = try await CLI.run(["evidence", "verify", ws.path("answer.json")], in: ws.root)
        #expect(offline.status == 0, "\(offline)")

        // A restart reads the same key from Certs/: the holder's access log still finds the entry.
        try await CLI.withServer(["--port", "0"] + ws.state, in: ws.root) { server in
            let portal = try PEMFileClient(port: server.port, workspace: ws, department: Self.portal)
            let log = try await portal.get("/v1/holders/\(Self.firm)/access-log")
            #expect(log.status == 200, "\(log.text)")
            let entries = log.json?["entries"]?.arrayValue ?? []
            #expect(entries.count == 1, "\(log.text)")
            #expect(entries.first?["department"] == .string(Self.consumer))
            #expect(entries.first?["action"] == .string("verify"))
            #expect(entries.first?["purpose"] == .string("核验纳税人名称"))
        }
        // The key is not in the database, nor the holder's id.
        let database = try Data(contentsOf: URL(fileURLWithPath: ws.data + "/sharebus.sqlite"))
        let key = try Data(contentsOf: URL(fileURLWithPath: keyFile))
        #expect(database.range(of: key) == nil)

        // Without the key, serve refuses to start rather than file entries under a new one.
        try FileManager.default.moveItem(atPath: keyFile, toPath: ws.path("subject-key.backup"))
        let refused = try await ws.sharebus(["serve", "--port", "0"])
        expectOneLineFailure(refused, mentioning: ["no subject key at", "restore it"])
    }
}
