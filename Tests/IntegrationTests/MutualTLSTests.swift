import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore
import ShareBusTesting
import Testing

@Suite("Mutual TLS and caller identity")
struct MutualTLSTests {
    @Test("a registered department's certificate is accepted and names the caller")
    func validCertificate() async throws {
        try await TestBus.run { bus in
            let tax = try await bus.department(Fixture.tax)
            let reply = try await tax.get("/v1/departments/yc.tax")
            #expect(reply.status == 200)
            #expect(reply.json?["id"]?.stringValue == "yc.tax")
        }
    }

    @Test("no client certificate: refused")
    func noCertificate() async throws {
        try await TestBus.run { bus in
            await expectRefused(try TestClient(bus: bus, credential: nil))
        }
    }

    @Test("a certificate from another CA: refused")
    func foreignCA() async throws {
        try await TestBus.run { bus in
            let other = try TestPKI()
            let foreign = try other.department("yc.tax")
            await expectRefused(try TestClient(bus: bus, credential: foreign))
        }
    }

    @Test("an expired certificate: refused")
    func expired() async throws {
        try await TestBus.run { bus in
            try await bus.store.createDepartment(Fixture.tax, audit: AuditEvent(at: Date(), actor: "system:test", action: "department.create", target: "yc.tax"))
            let expired = try bus.pki.department("yc.tax", now: Date(timeIntervalSinceNow: -40 * 86400), validityDays: 30)
            try await TestPKI.record(expired, in: bus.store)
            await expectRefused(try TestClient(bus: bus, credential: expired))
        }
    }

    @Test("a CA-issued certificate the bus has no record of: 401")
    func unrecorded() async throws {
        try await TestBus.run { bus in
            let unknown = try bus.pki.department("yc.ghost")
            await expectRefused(try TestClient(bus: bus, credential: unknown))
        }
    }

    @Test("revocation bites at once: on an open connection (401) and on new ones (handshake), without a restart")
    func revoked() async throws {
        try await TestBus.run { bus in
            let tax = try await bus.department(Fixture.tax)
            #expect(try await tax.get("/v1/departments").status == 200)
            let serial = try #require(tax.credential).certificate.serialHex
            _ = try await bus.store.revokeCertificate(
                serial: serial, reason: "key compromise",
                audit: AuditEvent(at: Date(), actor: "system:test", action: "certificate.revoke", target: serial))
            // Same client: its keep-alive connection is still open.
            let again = try await tax.get("/v1/departments")
            #expect(again.status == 401)
            #expect(again.problemCode == "certificate-revoked")
            // A new client opens a new connection: the handshake refuses it.
            await expectRefused(try TestClient(bus: bus, credential: tax.credential))
            // The CRL lists it.
            let steward = try await bus.department(Fixture.steward)
            let crl = try await steward.get("/v1/pki/crl")
            #expect(crl.status == 200)
            #expect(crl.header("content-type") == "application/pkix-crl")
            let text = try OpenSSL.crlText(der: crl.body, caPEM: bus.pki.ca.certificatePEM)
            #expect(text.contains("verify OK"))
            #expect(text.uppercased().contains(serial.uppercased()))
        }
    }

    @Test("a suspended department gets 403 department-suspended on every call; resumed, it is let in")
    func suspended() async throws {
        try await TestBus.run { bus in
            let tax = try await bus.department(Fixture.tax)
            let ops = try await bus.operator("ops")
            #expect(try await ops.post("/v1/departments/yc.tax/suspend").status == 200)
            for path in ["/v1/departments", "/v1/resources", "/v1/pki/ca.pem", "/v1/nowhere"] {
                let reply = try await tax.get(path)
                #expect(reply.status == 403)
                #expect(reply.problemCode == "department-suspended")
            }
            #expect(try await tax.post("/v1/departments/yc.tax/resume").status == 403)
            #expect(try await ops.post("/v1/departments/yc.tax/resume").status == 200)
            #expect(try await tax.get("/v1/departments").status == 200)
        }
    }

    @Test("the PKI endpoints publish the CA and bus certificates")
    func publishedCertificates() async throws {
        try await TestBus.run { bus in
            let tax = try await bus.department(Fixture.tax)
            let ca = try await tax.get("/v1/pki/ca.pem")
            #expect(ca.status == 200)
            #expect(ca.text == bus.pki.ca.certificatePEM)
            let signing = try await tax.get("/v1/pki/bus.pem")
            #expect(signing.text == bus.pki.busSigning.certificatePEM)
        }
    }
}

enum OpenSSL {
    /// `openssl crl -text` of a DER CRL, verified against the CA (stderr holds "verify OK").
    static func crlText(der: [UInt8], caPEM: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(der).write(to: dir.appendingPathComponent("crl.der"))
        try Data(caPEM.utf8).write(to: dir.appendingPathComponent("ca.pem"))
        let arguments = [
            "crl", "-inform", "DER", "-in", dir.appendingPathComponent("crl.der").path, "-CAfile", dir.appendingPathComponent("ca.pem").path, "-noout", "-text",
        ]
        return try ChildProcess.run("/usr/bin/openssl", arguments).output
    }
}
