import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore
import ShareBusTesting
import Testing
import X509

/// TLS hardening, checked with the system's `openssl s_client` against the real listener: old
/// protocol versions and weak suites are refused in the handshake, and a revoked certificate stops
/// working on an open connection and on new ones within a second.
@Suite("Security: TLS versions, cipher suites and revocation", .serialized)
struct SecurityTLSTests {
    @Test("TLS 1.0 and 1.1 are refused; TLS 1.2 and 1.3 with a department certificate are accepted")
    func versions() async throws {
        try await TestBus.run { bus in
            let tax = try await bus.department(Fixture.tax)
            let client = try SClient(port: bus.port, credential: try #require(tax.credential), caPEM: bus.pki.ca.certificatePEM)
            defer { client.remove() }
            // SECLEVEL=0 lets Debian's OpenSSL offer TLS 1.0 and 1.1 at all; the bus must still say no.
            for flag in ["-tls1", "-tls1_1"] {
                let (status, output) = try client.handshake([flag, "-cipher", "DEFAULT@SECLEVEL=0"])
                #expect(status != 0, "\(flag) was accepted: \(output)")
                #expect(SClient.negotiated(output) == nil, "\(flag): \(output)")
            }
            let tls12 = try client.handshake(["-tls1_2"])
            #expect(tls12.status == 0, "\(tls12.output)")
            #expect(SClient.negotiated(tls12.output)?.version == "TLSv1.2", "\(tls12.output)")
            let tls13 = try client.handshake(["-tls1_3"])
            #expect(tls13.status == 0, "\(tls13.output)")
            #expect(SClient.negotiated(tls13.output)?.version == "TLSv1.3", "\(tls13.output)")
        }
    }

    @Test(
        "weak and non-forward-secret TLS 1.2 suites are refused; only ECDHE with AES-GCM or ChaCha20 is negotiated",
        arguments: [
            "RC4:3DES:NULL:EXPORT:aNULL:eNULL:@SECLEVEL=0", "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:@SECLEVEL=0",
            "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384", "AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA",
            "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-CHACHA20-POLY1305",
        ])
    func weakCiphers(cipher: String) async throws {
        try await TestBus.run { bus in
            let tax = try await bus.department(Fixture.tax)
            let client = try SClient(port: bus.port, credential: try #require(tax.credential), caPEM: bus.pki.ca.certificatePEM)
            defer { client.remove() }
            let (status, output) = try client.handshake(["-tls1_2", "-cipher", cipher])
            #expect(status != 0, "\(cipher) was accepted: \(output)")
            #expect(SClient.negotiated(output) == nil, "\(cipher): \(output)")
        }
    }

    @Test("each TLS 1.2 suite the bus offers is forward-secret AEAD, and a client offering it gets it")
    func strongCiphers() async throws {
        try await TestBus.run { bus in
            let tax = try await bus.department(Fixture.tax)
            let client = try SClient(port: bus.port, credential: try #require(tax.credential), caPEM: bus.pki.ca.certificatePEM)
            defer { client.remove() }
            for cipher in ["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305"] {
                let (status, output) = try client.handshake(["-tls1_2", "-cipher", cipher])
                #expect(status == 0, "\(cipher): \(output)")
                #expect(SClient.negotiated(output)?.cipher == cipher, "\(output)")
            }
        }
    }

    @Test("a certificate revoked while its holder keeps a connection open is refused within one second, on that connection and on a new one")
    func revocationWithinOneSecond() async throws {
        try await TestBus.run { bus in
            let tax = try await bus.department(Fixture.tax)
            let credential = try #require(tax.credential)
            let client = try SClient(port: bus.port, credential: credential, caPEM: bus.pki.ca.certificatePEM)
            defer { client.remove() }
            let session = try SClient.Session(client)
            defer { session.close() }
            let before = try #require(try await session.get("/v1/departments"), "no answer before the revocation")
            #expect(before.status == 200, "\(before.body)")

            let serial = credential.certificate.serialHex
            _ = try await bus.store.revokeCertificate(
                serial: serial, reason: "key compromise",
                audit: AuditEvent(at: Date(), actor: "system:test", action: "certificate.revoke", target: serial))
            let revokedAt = ContinuousClock.now

            // The same TLS connection, kept alive across the revocation.
            let after = try #require(try await session.get("/v1/departments"), "no answer on the open connection after the revocation")
            let onOpenConnection = ContinuousClock.now - revokedAt
            #expect(after.status == 401, "\(after.body)")
            #expect(after.body.contains("certificate-revoked"), "\(after.body)")
            #expect(onOpenConnection < .seconds(1), "took \(onOpenConnection)")

            // A new connection: with TLS 1.3 the client finishes first, so the refusal may come as an
            // alert when the client sends its request; either way no request is served.
            let fresh = try SClient.Session(client)
            defer { fresh.close() }
            let refused = try await fresh.get("/v1/departments", timeout: .seconds(1))
            let onNewConnection = ContinuousClock.now - revokedAt
            #expect(refused == nil || refused?.status == 401, "a new connection was served: \(String(describing: refused))")
            #expect(onNewConnection < .seconds(2), "took \(onNewConnection)")
            let handshake = try client.handshake(["-tls1_2"])
            #expect(handshake.status != 0 || SClient.negotiated(handshake.output) == nil, "\(handshake.output)")
        }
    }

    @Test("revoked with `sharebus pki revoke` against a running `sharebus serve`: the open connection and a new one are refused within one second")
    func cliRevocationWithinOneSecond() async throws {
        let ws = try CLIWorkspace()
        defer { ws.remove() }
        try await ws.succeed(["pki", "init"])
        #expect(try await ws.addDepartment("cli.a", name: "部门甲", creditCode: TestDepartments.creditCode(41)).status == 0)
        try await CLI.withServer(["--port", "0", "--metrics-port", "0"] + ws.state, in: ws.root) { server in
            let directory = ws.departmentDirectory("cli.a")
            let certificatePEM = try String(contentsOfFile: directory + "/cert.pem", encoding: .utf8)
            let client = try SClient(
                port: server.port, certificatePEM: certificatePEM, keyPEM: try String(contentsOfFile: directory + "/key.pem", encoding: .utf8),
                caPEM: try String(contentsOfFile: ws.certs + "/ca.pem", encoding: .utf8))
            defer { client.remove() }
            let session = try SClient.Session(client)
            defer { session.close() }
            let before = try #require(try await session.get("/v1/departments"), "no answer before the revocation")
            #expect(before.status == 200, "\(before.body)")

            let serial = try Certificate(pemEncoded: certificatePEM).serialHex
            try await ws.succeed(["pki", "revoke", serial, "--reason", "key compromise"])
            let revokedAt = ContinuousClock.now
            let after = try #require(try await session.get("/v1/departments"), "no answer on the open connection after the revocation")
            let elapsed = ContinuousClock.now - revokedAt
            #expect(after.status == 401 && after.body.contains("certificate-revoked"), "open connection after a CLI revocation: \(after.status) \(after.body)")
            #expect(elapsed < .seconds(1), "took \(elapsed)")
            let fresh = try SClient.Session(client)
            defer { fresh.close() }
            let refused = try await fresh.get("/v1/departments", timeout: .seconds(1))
            #expect(refused == nil || refused?.status == 401, "a new connection was served: \(String(describing: refused))")
        }
    }
}
