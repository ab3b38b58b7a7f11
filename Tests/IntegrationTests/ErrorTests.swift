import Foundation
import ShareBusCore
import ShareBusTesting
import Testing

@Suite("Errors are problem+json with stable codes, and change nothing")
struct ErrorTests {
    @Test("unknown routes, wrong methods, bad bodies")
    func problems() async throws {
        try await TestBus.run { bus in
            let steward = try await bus.department(Fixture.steward)
            _ = try await bus.department(Fixture.psb)
            let head = try await bus.store.auditHead()

            let cases: [(TestClient.Reply, Int, String)] = [
                (try await steward.get("/v1/nowhere"), 404, "not-found"),
                (try await steward.request(.DELETE, "/v1/resources"), 405, "method-not-allowed"),
                (try await steward.request(.PATCH, "/v1/departments/yc.psb"), 405, "method-not-allowed"),
                (try await steward.request(.POST, "/v1/resources", body: Array("{\"code\": ".utf8)), 400, "malformed-request"),
                (try await steward.request(.POST, "/v1/resources", body: Array("[1,2]".utf8)), 422, "invalid-resource"),
                (try await steward.request(.POST, "/v1/resources", body: Array("{}".utf8), contentType: "text/plain"), 415, "unsupported-media-type"),
                (try await steward.request(.POST, "/v1/resources", body: Array(repeating: 0x20, count: 4 * 1024 * 1024 + 1)), 413, "payload-too-large"),
                (try await steward.get("/v1/departments?limit=0"), 400, "invalid-parameter"),
                (try await steward.get("/v1/departments/nobody"), 404, "department-not-found"),
            ]
            for (reply, status, code) in cases {
                #expect(reply.status == status, "\(code): \(reply.text)")
                #expect(reply.header("content-type") == "application/problem+json")
                #expect(reply.problemCode == code)
                #expect(reply.json?["type"]?.stringValue == "urn:sharebus:problem:\(code)")
                #expect(reply.json?["status"] == .integer(Int64(status)))
                #expect(reply.json?["title"]?.stringValue?.isEmpty == false)
            }
            #expect(cases[1].0.header("allow")?.contains("GET") == true)
            #expect(try await bus.store.auditHead() == head, "a failed request changed the audit log")
            #expect(try await bus.store.resources(.init()).isEmpty)
        }
    }

    @Test("health and readiness")
    func health() async throws {
        try await TestBus.run { bus in
            let tax = try await bus.department(Fixture.tax)
            #expect(try await tax.get("/healthz").status == 200)
            #expect(try await tax.get("/readyz").json?["status"]?.stringValue == "ready")
        }
    }

    @Test("docs/errors.md lists exactly the codes of the ProblemCode table, with their statuses")
    func errorsDocument() throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/errors.md"), encoding: .utf8)
        var documented: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, let status = Int(cells[1]) else { continue }
            documented[cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = status
        }
        let table = Dictionary(uniqueKeysWithValues: ProblemCode.allCases.map { ($0.rawValue, $0.status) })
        #expect(documented == table)
    }
}
