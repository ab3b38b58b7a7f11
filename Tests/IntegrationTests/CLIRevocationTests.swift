import Foundation
import ShareBusCrypto
import ShareBusTesting
import Testing
import X509

@Suite("sharebus pki revoke and dept suspend against a running sharebus serve", .timeLimit(.minutes(3)))
struct CLIRevocationTests {
    @Test("revoking a department's certificate with the CLI bites at once, without restarting the server")
    func revokeWithoutRestart() async throws {
        let ws = try CLIWorkspace()
        defer { ws.remove() }
        try await ws.succeed(["pki", "init"])
        #expect(try await ws.addDepartment("cli.a", name: "部门甲", creditCode: TestDepartments.creditCode(21)).status == 0)
        #expect(try await ws.addDepartment("cli.b", name: "部门乙", creditCode: TestDepartments.creditCode(22)).status == 0)

        try await CLI.withServer(["--port", "0"] + ws.state, in: ws.root) { server in
            let a = try PEMFileClient(port: server.port, workspace: ws, department: "cli.a")
            let b = try PEMFileClient(port: server.port, workspace: ws, department: "cli.b")
            #expect(try await a.get("/v1/departments").status == 200)
            #expect(try await b.get("/v1/departments").status == 200)

            // The serial as `dept show` prints it, which is what an operator copies.
            let certificate = try Certificate(pemEncoded: String(contentsOfFile: ws.departmentDirectory("cli.a") + "/cert.pem", encoding: .utf8))
            let show = try await ws.succeed(["dept", "show", "cli.a"])
            let line = try #require(show.lines.first { $0.contains(" client ") }, "\(show)")
            let serial = String(line.trimmingCharacters(in: .whitespaces).prefix { $0 != " " })
            #expect(serial == certificate.serialHex)

            let revoked = try await ws.succeed(["pki", "revoke", serial, "--reason", "key compromise"])
            #expect(revoked.stdout.contains("Revoked \(serial) of urn:sharebus:dept:cli.a"))

            // The old client's kept-alive connection: 401 certificate-revoked.
            let again = try await a.get("/v1/departments")
            #expect(again.status == 401, "\(again.text)")
            #expect(again.problemCode == "certificate-revoked")
            // A new connection with the same certificate is refused.
            await expectRefused(try PEMFileClient(port: server.port, workspace: ws, department: "cli.a"))
            // The other department carries on.
            #expect(try await b.get("/v1/departments").status == 200)

            let crl = try await b.get("/v1/pki/crl")
            #expect(crl.status == 200)
            #expect(crl.contentType == "application/pkix-crl")
            let text = try OpenSSL.crlText(der: crl.body, caPEM: String(contentsOfFile: ws.certs + "/ca.pem", encoding: .utf8))
            #expect(text.contains("verify OK"), "\(text)")
            #expect(text.uppercased().contains(serial.uppercased()), "\(text)")

            #expect(try await ws.succeed(["dept", "show", "cli.a"]).stdout.contains("\(serial)  client  until"))
            #expect(try await ws.succeed(["dept", "show", "cli.a"]).lines.contains { $0.contains(serial) && $0.hasSuffix("revoked") })
            expectOneLineFailure(try await ws.sharebus(["pki", "revoke", serial]), mentioning: ["already revoked"])
        }
    }

    @Test("dept suspend and resume take effect on a running server")
    func suspendWithoutRestart() async throws {
        let ws = try CLIWorkspace()
        defer { ws.remove() }
        try await ws.succeed(["pki", "init"])
        #expect(try await ws.addDepartment("cli.a", name: "部门甲", creditCode: TestDepartments.creditCode(23)).status == 0)
        #expect(try await ws.addDepartment("cli.b", name: "部门乙", creditCode: TestDepartments.creditCode(24)).status == 0)

        try await CLI.withServer(["--port", "0"] + ws.state, in: ws.root) { server in
            let a = try PEMFileClient(port: server.port, workspace: ws, department: "cli.a")
            let b = try PEMFileClient(port: server.port, workspace: ws, department: "cli.b")
            #expect(try await b.get("/v1/departments").status == 200)

            #expect(try await ws.succeed(["dept", "suspend", "cli.b"]).stdout == "cli.b is suspended\n")
            let suspended = try await b.get("/v1/departments")
            #expect(suspended.status == 403, "\(suspended.text)")
            #expect(suspended.problemCode == "department-suspended")
            // A new connection is let through TLS but answered the same.
            let fresh = try PEMFileClient(port: server.port, workspace: ws, department: "cli.b")
            #expect(try await fresh.get("/v1/resources").problemCode == "department-suspended")
            #expect(try await a.get("/v1/departments").status == 200)
            #expect(try await ws.succeed(["dept", "list"]).lines.contains { $0.hasPrefix("cli.b\tsuspended\t") })

            #expect(try await ws.succeed(["dept", "resume", "cli.b"]).stdout == "cli.b is active\n")
            #expect(try await b.get("/v1/departments").status == 200)
        }
    }
}
