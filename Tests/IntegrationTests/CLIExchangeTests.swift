import Crypto
import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import Testing
import X509

@Suite("sharebus push, pull, dept add-signing-key and audit verify against a running sharebus serve", .timeLimit(.minutes(3)))
struct CLIExchangeTests {
    @Test("a provider pushes, a consumer pulls and acknowledges, an Ed25519 key signs, and audit verify catches a changed entry")
    func exchange() async throws {
        let ws = try CLIWorkspace()
        defer { ws.remove() }
        try await CLIExchange.prepare(ws)
        let operationsFile = ws.path("operations.json")
        try Data(
            try CanonicalJSON.serialize(
                .object([
                    "resource": .string(CLIExchange.resource),
                    "operations": .array([CLIExchange.upsert("a", 1), CLIExchange.upsert("b", 2)]),
                ]))
        ).write(to: URL(fileURLWithPath: operationsFile))
        let bareArrayFile = ws.path("bare.json")
        try Data(try CanonicalJSON.serialize(.array([CLIExchange.upsert("a", 3)]))).write(to: URL(fileURLWithPath: bareArrayFile))

        try await CLI.withServer(["--port", "0"] + ws.state, in: ws.root) { server in
            let provider = CLIExchange.clientArguments(ws, port: server.port, department: CLIExchange.provider)
            let consumerArguments = CLIExchange.clientArguments(ws, port: server.port, department: CLIExchange.consumer)

            // Signed ES256 with the TLS key: the receipt is the first of the resource's log.
            let pushed = try await CLI.run(["push", operationsFile] + provider, in: ws.root)
            #expect(pushed.status == 0, "\(pushed)")
            #expect(pushed.stderr.isEmpty, "\(pushed)")
            let receipt = try StrictJSON.parse(Array(pushed.stdout.utf8))
            #expect(receipt["firstSequence"] == .integer(1), "\(pushed)")
            #expect(receipt["lastSequence"] == .integer(2), "\(pushed)")
            #expect(receipt["sender"]?.stringValue == CLIExchange.provider)
            #expect(receipt["resource"]?.stringValue == CLIExchange.resource)
            let firstEnvelope = try #require(receipt["envelopeId"]?.stringValue)

            let consumer = try PEMFileClient(port: server.port, workspace: ws, department: CLIExchange.consumer)
            let subscription = try await CLIExchange.subscribe(consumer)

            let pulled = try await CLI.run(["pull", subscription, "--ack"] + consumerArguments, in: ws.root)
            #expect(pulled.status == 0, "\(pulled)")
            let messages = try pulled.lines.map { try StrictJSON.parse(Array($0.utf8)) }
            #expect(messages.map { $0["sequence"] } == [.integer(1), .integer(2)], "\(pulled)")
            #expect(messages.map { $0["record"] } == [CLIExchange.record("a", 1), CLIExchange.record("b", 2)], "\(pulled)")
            #expect(messages.allSatisfy { $0["envelopeId"]?.stringValue == firstEnvelope && $0["op"]?.stringValue == "upsert" })

            let again = try await CLI.run(["pull", subscription] + consumerArguments, in: ws.root)
            #expect(again.status == 0, "\(again)")
            #expect(again.stdout.isEmpty, "acknowledged messages came again: \(again)")

            // An Ed25519 signing key beside the TLS key.
            let added = try await ws.succeed(["dept", "add-signing-key", CLIExchange.provider])
            let directory = ws.departmentDirectory(CLIExchange.provider)
            let signingCertificate = try Certificate(pemEncoded: String(contentsOfFile: directory + "/signing-cert.pem", encoding: .utf8))
            #expect(added.stdout.contains(signingCertificate.serialHex), "\(added)")
            #expect(Curve25519.Signing.PublicKey(signingCertificate.publicKey) != nil, "the signing certificate is not for an Ed25519 key")
            #expect(signingCertificate.principal == .department(CLIExchange.provider))
            #expect(!signingCertificate.hasExtendedKeyUsage(.clientAuth), "a signing certificate must not pass as a TLS client certificate")
            let keyMode = try #require(
                try FileManager.default.attributesOfItem(atPath: directory + "/signing-key.pem")[.posixPermissions] as? NSNumber)
            #expect(keyMode.intValue == 0o600, "signing-key.pem has mode \(String(keyMode.intValue, radix: 8))")
            let show = try await ws.succeed(["dept", "show", CLIExchange.provider])
            #expect(
                show.lines.contains { $0.contains(signingCertificate.serialHex) && $0.contains(" signing ") && $0.hasSuffix("current") }, "\(show)")
            expectOneLineFailure(
                try await ws.sharebus(["dept", "add-signing-key", CLIExchange.provider]), mentioning: ["signing-cert.pem already exists"])

            let signed = try await CLI.run(
                [
                    "push", bareArrayFile, "--resource", CLIExchange.resource, "--signing-cert", directory + "/signing-cert.pem",
                    "--signing-key", directory + "/signing-key.pem",
                ] + provider, in: ws.root)
            #expect(signed.status == 0, "\(signed)")
            let signedReceipt = try StrictJSON.parse(Array(signed.stdout.utf8))
            #expect(signedReceipt["firstSequence"] == .integer(3), "\(signed)")
            // The bus took the Ed25519 signature: the envelope is in the log, and a wrong key is refused before sending.
            let third = try await CLI.run(["pull", subscription] + consumerArguments, in: ws.root)
            #expect(third.lines.count == 1, "\(third)")
            #expect(try third.lines.first.map { try StrictJSON.parse(Array($0.utf8))["envelopeId"] } == signedReceipt["envelopeId"])
            expectOneLineFailure(
                try await CLI.run(
                    [
                        "push", bareArrayFile, "--resource", CLIExchange.resource, "--signing-cert", directory + "/signing-cert.pem", "--signing-key",
                        directory + "/key.pem",
                    ]
                        + provider, in: ws.root),
                mentioning: ["does not belong to its certificate"])

            // A refused envelope: the problem's code and detail on one line, exit 1.
            try Data(try CanonicalJSON.serialize(.array([.object(["op": .string("upsert"), "record": .object(["code": .integer(5)])])])))
                .write(to: URL(fileURLWithPath: ws.path("bad.json")))
            let refused = try await CLI.run(["push", ws.path("bad.json"), "--resource", CLIExchange.resource] + provider, in: ws.root)
            #expect(refused.status == 1, "\(refused)")
            #expect(refused.stdout.isEmpty)
            #expect(refused.stderrLines.count == 1, "\(refused)")
            #expect(refused.stderr.hasPrefix("sharebus: schema-violation: /operations/0/record/code"), "\(refused)")

            // A subscription that is not the caller's: refused with the bus's code.
            let foreign = try await CLI.run(["pull", subscription] + provider, in: ws.root)
            #expect(foreign.status == 1, "\(foreign)")
            #expect(foreign.stderr.hasPrefix("sharebus: "), "\(foreign)")

            try await ws.succeed(["audit", "checkpoint"])
            let verified = try await ws.succeed(["audit", "verify"])
            let summary = try #require(
                verified.stdout.firstMatch(of: /^audit log verified: (\d+) entries, (\d+) checkpoints\n$/), "\(verified)")
            #expect((Int(summary.1) ?? 0) > 10, "\(verified)")
            #expect((Int(summary.2) ?? 0) >= 1, "\(verified)")
        }

        // With the bus stopped, someone edits the file.
        let path = ws.data + "/sharebus.sqlite"
        let edited = try await CLIExchange.sqlite(path, "UPDATE audit SET actor='x' WHERE idx=2")
        #expect(edited.status == 0, "\(edited)")
        let tampered = try await ws.sharebus(["audit", "verify"])
        expectOneLineFailure(tampered, mentioning: ["entry 2 was changed"])
        #expect(tampered.status == 1)
        #expect(tampered.stdout.isEmpty)
    }

    @Test("push and pull refuse what they cannot send or trust, each with one line")
    func refusals() async throws {
        let ws = try CLIWorkspace()
        defer { ws.remove() }
        try await CLIExchange.prepare(ws)
        try Data("[]".utf8).write(to: URL(fileURLWithPath: ws.path("bare.json")))
        // A CA that did not issue the bus's certificates: the TLS handshake fails, nothing is sent.
        let other = try TestPKI()
        try Data(other.ca.certificatePEM.utf8).write(to: URL(fileURLWithPath: ws.path("other-ca.pem")))
        try await CLI.withServer(["--port", "0"] + ws.state, in: ws.root) { server in
            let provider = CLIExchange.clientArguments(ws, port: server.port, department: CLIExchange.provider)
            expectOneLineFailure(try await CLI.run(["push", ws.path("bare.json")] + provider, in: ws.root), mentioning: ["pass --resource"])
            let untrusted = try await CLI.run(
                ["push", ws.path("bare.json"), "--resource", CLIExchange.resource] + provider.dropLast() + [ws.path("other-ca.pem")], in: ws.root)
            expectOneLineFailure(untrusted, mentioning: ["TLS handshake with https://localhost:\(server.port) failed", "check --cacert"])
            let empty = try await CLI.run(["push", ws.path("bare.json"), "--resource", CLIExchange.resource] + provider, in: ws.root)
            #expect(empty.status == 1, "\(empty)")
            #expect(empty.stderr == "sharebus: bad-operation-count: an envelope carries 1 to 1000 operations, this one 0\n", "\(empty)")
            let follow = try await CLI.run(["pull", "x", "--follow"] + provider, in: ws.root)
            #expect(follow.status != 0)
            #expect(follow.stderr.contains("--follow needs --ack"), "\(follow)")
        }
    }
}
