import Foundation
import NIOHTTP1
import ShareBusCore
import ShareBusCrypto
import ShareBusStore
import ShareBusTesting
import Testing

/// Role separation: the auditor reads the audit log and nothing else; operators manage queues;
/// nobody, auditor and operator included, can write, change or delete an audit entry through the API.
@Suite("Security: the auditor role and the append-only audit log")
struct SecurityAuditorTests {
    @Test("an auditor reads the audit log and checkpoints, and is refused every other route with 403")
    func auditorReadsOnly() async throws {
        try await SecurityBus.run { bus in
            let world = try await Exchange.world(bus)
            let auditor = try await bus.auditor("audit01")
            try await world.push([EnvelopeBuilder.upsert(Security.record(1))])
            let entries = try await auditor.get("/v1/audit?limit=1000")
            #expect(entries.status == 200, "\(entries.text)")
            let actions = entries.json?["entries"]?.arrayValue?.compactMap { $0["action"]?.stringValue } ?? []
            #expect(actions.contains("envelope.accept") && actions.contains("resource.publish"), "\(actions)")
            let filtered = try await auditor.get("/v1/audit?action=envelope.accept")
            #expect(filtered.json?["entries"]?.arrayValue?.count == 1)
            #expect(try await auditor.get("/v1/audit/checkpoints").status == 200)
            for path in ["/v1/ops/queues", "/v1/subscriptions", "/v1/departments", "/v1/resources", "/metrics", "/ui/", "/v1/audit/../ops/queues"] {
                let reply = try await auditor.get(path)
                #expect(reply.status == 403 && reply.problemCode == "forbidden", "\(path): \(reply.status) \(reply.text)")
            }
            // Its own reads are not the data of anyone: an auditor's calls act on nothing.
            #expect(try await auditor.post("/v1/departments/yc.psb/suspend").status == 403)
            #expect(try await bus.store.department(id: "yc.psb")?.status == .active)
        }
    }

    @Test("no caller can write, change or delete the audit log through the API: the chain is as it was")
    func appendOnly() async throws {
        try await SecurityBus.run { bus in
            let world = try await Exchange.world(bus)
            let auditor = try await bus.auditor("audit01")
            let civil = try await bus.department(Security.civil)
            let head = try #require(try await bus.store.auditHead())
            let first = try #require(try await Exchange.audit(world.ops).first)
            let forged: JSONValue = .object(["index": .integer(1), "actor": .string("dept:yc.civil"), "action": .string("nothing.happened")])
            for client in [world.ops, auditor, civil, world.steward] {
                for method in [HTTPMethod.POST, .PUT, .PATCH, .DELETE] {
                    for path in ["/v1/audit", "/v1/audit/1", "/v1/audit/checkpoints", "/v1/audit/entries"] {
                        let reply = try await client.request(method, path, body: Array(try JSONEncoder().encode(forged)))
                        #expect([403, 404, 405].contains(reply.status), "\(method) \(path): \(reply.status) \(reply.text)")
                    }
                }
            }
            // Every registered route that writes is outside /v1/audit.
            let after = try #require(try await bus.store.auditHead())
            #expect(after.index == head.index && after.hash == head.hash, "the audit log changed")
            #expect(try await Exchange.audit(world.ops).first == first)
            let report = try await AuditVerifier(busCertificate: bus.pki.busSigning.certificate).verify(bus.store)
            #expect(report.problem == nil, "\(report)")
        }
    }

    @Test("operators read the audit log (metadata only) but an operator's actions are in it for the auditor to see")
    func operatorActionsAreAudited() async throws {
        try await SecurityBus.run { bus in
            let world = try await Exchange.world(bus)
            let civil = try await bus.department(Security.civil)
            let auditor = try await bus.auditor("audit01")
            let id = try await Exchange.activeSubscription(civil, fields: ["name"])
            #expect(try await world.ops.post("/v1/ops/subscriptions/\(id)/pause").status == 200)
            #expect(try await world.ops.post("/v1/departments/yc.civil/suspend").status == 200)
            let seen = try await auditor.get("/v1/audit?actor=operator:ops")
            let actions = seen.json?["entries"]?.arrayValue?.compactMap { $0["action"]?.stringValue } ?? []
            #expect(actions == ["ops.pause", "department.suspend"], "\(seen.text)")
            // The auditor's own reads leave the log as it is: reading is not an action on data.
            let before = try await bus.store.auditHead()
            _ = try await auditor.get("/v1/audit")
            #expect(try await bus.store.auditHead()?.index == before?.index)
        }
    }

    @Test("sharebus auditor add issues an auditor certificate that reads the audit log of a running serve and nothing else")
    func cli() async throws {
        let ws = try CLIWorkspace()
        defer { ws.remove() }
        try await ws.succeed(["pki", "init"])
        let added = try await ws.succeed(["auditor", "add", "aud1"])
        #expect(added.stdout.contains("auditors/aud1/cert.pem"), "\(added)")
        expectOneLineFailure(try await ws.sharebus(["auditor", "add", "Bad_ID"]), mentioning: ["auditor id"])
        let directory = ws.certs + "/auditors/aud1"
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/key.pem")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let pem = try String(contentsOfFile: directory + "/cert.pem", encoding: .utf8)
        #expect(pem.contains("BEGIN CERTIFICATE"))
        try await CLI.withServer(["--port", "0", "--metrics-port", "0"] + ws.state, in: ws.root) { server in
            let client = try PEMFileClient(
                port: server.port, caFile: ws.certs + "/ca.pem", certificateFile: directory + "/cert.pem", keyFile: directory + "/key.pem")
            let audit = try await client.get("/v1/audit")
            #expect(audit.status == 200, "\(audit.text)")
            #expect(audit.text.contains("urn:sharebus:auditor:aud1"), "the issue of the auditor's certificate is audited")
            #expect(try await client.get("/v1/ops/queues").status == 403)
        }
    }
}
