import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import Testing

/// Keys on disk are private to the bus's user, logs carry no record values, and `keys rotate` keeps
/// what older keys sealed readable.
@Suite("Key hygiene with the real binary", .timeLimit(.minutes(4)))
struct KeyHygieneTests {
    static let personID = Verification.citizenID("64010419930817", 629)
    static let name = "欧阳修远日志测试"
    static let later = Verification.citizenID("64010419950303", 731)

    /// Every file under `Certs/` that holds a private or secret key, with its mode.
    static func keyFiles(_ ws: CLIWorkspace) throws -> [(path: String, mode: Int)] {
        var found: [(String, Int)] = []
        let enumerator = FileManager.default.enumerator(atPath: ws.certs)
        while let relative = enumerator?.nextObject() as? String {
            let path = ws.certs + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
            let secret = text.contains("PRIVATE KEY") || relative.hasPrefix("bus/data-keys/") || relative == "bus/subject-key"
            guard secret else { continue }
            let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
            found.append((relative, mode))
        }
        return found
    }

    static func expectPrivate(_ ws: CLIWorkspace, atLeast count: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let files = try keyFiles(ws)
        #expect(files.count >= count, "only \(files.map(\.path))", sourceLocation: sourceLocation)
        for file in files { #expect(file.mode == 0o600, "\(file.path) has mode \(String(file.mode, radix: 8))", sourceLocation: sourceLocation) }
        let folder = (try FileManager.default.attributesOfItem(atPath: ws.certs + "/bus/data-keys")[.posixPermissions] as? NSNumber)?.intValue
        #expect(folder == 0o700, sourceLocation: sourceLocation)
    }

    static func population(_ id: String, _ name: String) -> JSONValue {
        .object([
            "resource": .string("base.population"),
            "operations": .array([EnvelopeBuilder.upsert(["idNumber": .string(id), "name": .string(name), "birthDate": .string("1993-08-17")])]),
        ])
    }

    static func verify(_ client: PEMFileClient, _ id: String, _ name: String) async throws -> String? {
        let reply = try await client.post(
            "/v1/verify",
            json: .object([
                "resource": .string("base.population"), "key": .string(id), "claims": .object(["name": .string(name)]), "purpose": .string("日志测试"),
            ]))
        return reply.json?["result"]?.stringValue
    }

    @Test("serve --dev at trace level: key files 0600, no pushed or pulled value in its output; keys rotate keeps old records readable")
    func keysAndLogs() async throws {
        let ws = try CLIWorkspace()
        defer { ws.remove() }
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Catalogs"), to: ws.root.appendingPathComponent("Catalogs"))
        try Data(try CanonicalJSON.serialize(Self.population(Self.personID, Self.name))).write(to: URL(fileURLWithPath: ws.path("people.json")))
        let serve = ["--dev", "--port", "0", "--metrics-port", "0", "--log-level", "trace"] + ws.state

        let output = try await CLI.withServer(serve, in: ws.root) { server in
            #expect(server.banner.contains("Created the data keys in"), "\(server.banner)")
            let pushed = try await CLI.run(
                ["push", ws.path("people.json")] + CLIExchange.clientArguments(ws, port: server.port, department: "yc.psb"), in: ws.root)
            #expect(pushed.status == 0, "\(pushed)")
            let tax = try PEMFileClient(port: server.port, workspace: ws, department: "yc.tax")
            let asked = try await tax.post(
                "/v1/subscriptions",
                json: .object([
                    "resource": .string("base.population"), "fields": .array([.string("name")]),
                    "permissions": .array([.string("pull"), .string("verify")]),
                    "purpose": .string("日志测试"), "basis": .string("测试"),
                ]))
            let id = try #require(asked.json?["id"]?.stringValue, "\(asked.text)")
            let bigdata = try PEMFileClient(port: server.port, workspace: ws, department: "yc.bigdata")
            #expect(try await bigdata.post("/v1/subscriptions/\(id)/approve", json: .object([:])).status == 200)
            let pulled = try await tax.get("/v1/subscriptions/\(id)/messages")
            #expect(pulled.status == 200)
            let payload = try #require(try? JWS.parse(pulled.body, expectedType: BusSigner.deliveryType).payload)
            let text = String(decoding: payload, as: UTF8.self)
            #expect(text.contains(Self.name) && text.contains(Self.personID), "the consumer pulls the clear values: \(text)")
            #expect(try await Self.verify(tax, Self.personID, Self.name) == "match")
            return server.stdout + server.stderr
        }
        #expect(output.contains("trace") || output.contains("debug"), "nothing was logged at a verbose level:\n\(output)")
        for value in [Self.personID, Self.name] { #expect(!output.contains(value), "\(value) in the server's output") }
        try Self.expectPrivate(ws, atLeast: 14)
        // No key material either: not a line of a PEM private key, not a key file in hex or base64.
        for file in try Self.keyFiles(ws) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: ws.certs + "/" + file.path))
            let text = String(decoding: bytes, as: UTF8.self)
            var forms = text.contains("PRIVATE KEY") ? text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.map(String.init) : []
            if !text.contains("PRIVATE KEY") { forms += [Hex.encode(bytes), bytes.base64EncodedString(), Base64URL.encode(bytes)] }
            for form in forms where form.count >= 16 { #expect(!output.contains(form), "\(file.path) in the server's output") }
        }

        // A new data key: the old record still opens, a new one is sealed under the new key.
        let rotated = try await ws.succeed(["keys", "rotate"])
        #expect(rotated.stdout.contains("d2"), "\(rotated)")
        #expect(try await ws.succeed(["keys", "list"]).lines == ["d1", "d2 current"])
        try Data(try CanonicalJSON.serialize(Self.population(Self.later, Self.name))).write(to: URL(fileURLWithPath: ws.path("later.json")))
        try await CLI.withServer(["--port", "0", "--metrics-port", "0"] + ws.state, in: ws.root) { server in
            let pushed = try await CLI.run(
                ["push", ws.path("later.json")] + CLIExchange.clientArguments(ws, port: server.port, department: "yc.psb"), in: ws.root)
            #expect(pushed.status == 0, "\(pushed)")
            let tax = try PEMFileClient(port: server.port, workspace: ws, department: "yc.tax")
            #expect(try await Self.verify(tax, Self.personID, Self.name) == "match", "sealed under d1")
            #expect(try await Self.verify(tax, Self.later, Self.name) == "match", "sealed under d2")
        }
        let dump = try await CLIExchange.sqlite(ws.data + "/sharebus.sqlite", "SELECT record FROM record_state WHERE resource = 'base.population'")
        #expect(dump.stdout.contains("sb1.d1.") && dump.stdout.contains("sb1.d2."), "\(dump)")
        try Self.expectPrivate(ws, atLeast: 15)

        // Without its keys, a store that holds records is not given new ones.
        try FileManager.default.moveItem(atPath: ws.certs + "/bus/data-keys", toPath: ws.path("data-keys.backup"))
        let refused = try await ws.sharebus(["serve", "--port", "0", "--metrics-port", "0"])
        expectOneLineFailure(refused, mentioning: ["no data keys in", "restore"])
    }
}
