import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import Testing

/// `sharebus queues`, the built binary against a running bus.
@Suite("Operations: sharebus queues")
struct OperationsCLITests {
    @Test("sharebus queues prints every queue as a table with the operator certificate from Certs/operators/ops")
    func table() async throws {
        try await TestBus.run { bus in
            let world = try await Exchange.world(bus)
            let tax = try await bus.department(Fixture.tax)
            let id = try await Exchange.activeSubscription(tax, fields: ["name"])
            try await world.push([EnvelopeBuilder.upsert(Exchange.record(1)), EnvelopeBuilder.upsert(Exchange.record(2))])
            let ws = try CLIWorkspace()
            defer { try? FileManager.default.removeItem(at: ws.root) }
            let credential = try #require(world.ops.credential)
            try FileManager.default.createDirectory(atPath: ws.certs + "/operators/ops", withIntermediateDirectories: true)
            try credential.certificatePEM.write(toFile: ws.certs + "/operators/ops/cert.pem", atomically: true, encoding: .utf8)
            try credential.privateKeyPEM.write(toFile: ws.certs + "/operators/ops/key.pem", atomically: true, encoding: .utf8)
            try bus.pki.ca.certificatePEM.write(toFile: ws.certs + "/ca.pem", atomically: true, encoding: .utf8)

            let result = try await CLI.run(["queues", "--url", bus.baseURL], in: ws.root)
            #expect(result.status == 0, "\(result)")
            let header = try #require(result.lines.first)
            for title in ["SUBSCRIPTION", "CONSUMER", "MODE", "STATUS", "CURSOR", "HEAD", "DEPTH", "FAILURES", "DEAD", "LAST ERROR"] {
                #expect(header.contains(title), "\(header)")
            }
            let row = try #require(result.lines.first { $0.hasPrefix(id) })
            let cells = row.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            #expect(Array(cells.prefix(8)) == [id, Fixture.tax.id, Exchange.code, "pull", "active", "0", "2", "2"], "\(row)")

            let json = try await CLI.run(["queues", "--url", bus.baseURL, "--json"], in: ws.root)
            #expect(json.status == 0)
            let parsed = try StrictJSON.parse(Array(json.stdout.utf8))
            #expect(parsed["queues"]?.arrayValue?.first?["depth"] == .integer(2))

            // A department's certificate is refused by the bus, and said so in one line.
            let own = try #require(tax.credential)
            try own.certificatePEM.write(toFile: ws.path("tax.pem"), atomically: true, encoding: .utf8)
            try own.privateKeyPEM.write(toFile: ws.path("tax-key.pem"), atomically: true, encoding: .utf8)
            let refused = try await CLI.run(
                ["queues", "--url", bus.baseURL, "--cert", ws.path("tax.pem"), "--key", ws.path("tax-key.pem")], in: ws.root)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("sharebus: forbidden:"), "\(refused)")
        }
    }
}
