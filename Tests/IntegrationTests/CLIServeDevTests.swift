import Foundation
import ShareBusCore
import ShareBusCrypto
import Testing

@Suite("sharebus serve --dev on a fresh clone", .timeLimit(.minutes(3)))
struct CLIServeDevTests {
    @Test("serve --dev sets everything up, its curl line works, and a second start sets up nothing again")
    func devServeIsIdempotent() async throws {
        let ws = try CLIWorkspace()
        defer { ws.remove() }
        // A fresh clone: the catalog folder and nothing else; the defaults data/, Certs/ and Catalogs/ are used.
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Catalogs"), to: ws.root.appendingPathComponent("Catalogs"))
        let resourceCount = try FileManager.default.contentsOfDirectory(atPath: ws.path("Catalogs"))
            .filter { $0.hasSuffix(".json") && $0 != "departments.json" }.count

        try await CLI.withServer(["--dev", "--port", "0"], in: ws.root) { server in
            // What it set up is said before it says it is serving, not only when it exits.
            #expect(server.banner.contains("Created a development PKI in Certs/"), "\(server.banner)")
            #expect(server.banner.contains("Catalog Catalogs: \(resourceCount) resources, \(resourceCount) imported or updated"), "\(server.banner)")
            try await expectCurlLineWorks(server.banner, in: ws, resources: resourceCount)
        }
        let ca = try Data(contentsOf: URL(fileURLWithPath: ws.certs + "/ca.pem"))
        let taxCertificate = try Data(contentsOf: URL(fileURLWithPath: ws.certs + "/departments/yc.tax/cert.pem"))

        try await CLI.withServer(["--dev", "--port", "0"], in: ws.root) { server in
            #expect(!server.banner.contains("Created a development PKI"), "\(server.banner)")
            #expect(server.banner.contains("Catalog Catalogs: \(resourceCount) resources, 0 imported or updated"), "\(server.banner)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: ws.certs + "/ca.pem")) == ca, "the CA was re-created")
            #expect(try Data(contentsOf: URL(fileURLWithPath: ws.certs + "/departments/yc.tax/cert.pem")) == taxCertificate)
            try await expectCurlLineWorks(server.banner, in: ws, resources: resourceCount)
        }
    }

    @Test("serve stops on SIGTERM (systemd, docker stop) and SIGINT (Ctrl-C) within 5 s", arguments: [SIGTERM, SIGINT])
    func stopsOnSignal(_ signal: Int32) async throws {
        let ws = try CLIWorkspace()
        defer { ws.remove() }
        try await ws.succeed(["pki", "init"])
        let status = try await CLI.withServer(["--port", "0"] + ws.state, in: ws.root) { server in
            await server.stop(signal: signal)
        }
        #expect(status == 0, "exit status \(status) after signal \(signal)")
    }

    /// Runs the `curl` line the banner suggests, as printed, from the folder the server was started in.
    func expectCurlLineWorks(_ banner: String, in ws: CLIWorkspace, resources: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let line = try #require(
            banner.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("curl ") },
            "no curl line in \(banner)", sourceLocation: sourceLocation)
        let words = line.split(separator: " ").map(String.init)
        for flag in ["--cert", "--key", "--cacert"] {
            let index = try #require(words.firstIndex(of: flag), "\(line) has no \(flag)", sourceLocation: sourceLocation)
            let file = words[index + 1]
            let path = file.hasPrefix("/") ? file : ws.path(file)
            #expect(FileManager.default.fileExists(atPath: path), "\(flag) \(file) does not exist", sourceLocation: sourceLocation)
        }
        let result = try await CLI.run(
            Array(words.dropFirst()) + ["--silent", "--show-error", "--max-time", "20"], executable: URL(fileURLWithPath: "/usr/bin/curl"),
            in: ws.root, timeout: .seconds(30))
        #expect(result.status == 0, "\(line): \(result)", sourceLocation: sourceLocation)
        let json = try StrictJSON.parse(Array(result.stdout.utf8))
        #expect(json["resources"]?.arrayValue?.count == resources, "\(result.stdout)", sourceLocation: sourceLocation)
    }
}
