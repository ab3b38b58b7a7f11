import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import Testing

/// Sensitive values pushed over HTTPS are nowhere in the SQLite files, yet consumers, verification
/// and certificate checks see them as before.
@Suite("Encryption at rest over HTTPS", .timeLimit(.minutes(3)))
struct AtRestTests {
    typealias V = Verification

    static let personID = V.citizenID("64010419870529", 318)
    static let leaverID = V.citizenID("64010419770101", 555)
    static let spouseID = V.citizenID("64010419880214", 427)
    static let name = "纳兰容若测试"
    static let spouseName = "沈宛测试"
    static let certificateNumber = "J640104-2021-778899"
    static let registrationNumber = "BJ640104-2021-4455"
    /// An L2 value of the same records: it is stored in the clear, so finding it shows the right files are read.
    static let issuer = "银川市兴庆区民政局婚姻登记处"

    static var secrets: [String] { [personID, leaverID, spouseID, name, spouseName, certificateNumber, registrationNumber] }

    static var person: [String: JSONValue] {
        ["idNumber": .string(personID), "name": .string(name), "gender": .string("男"), "birthDate": .string("1987-05-29")]
    }

    static var marriage: [String: JSONValue] {
        [
            "certificateNumber": .string(certificateNumber), "registrationNumber": .string(registrationNumber),
            "holderId": .string(personID.lowercased()), "holderName": .string(name), "spouseId": .string(spouseID),
            "spouseName": .string(spouseName), "registrationDate": .string("2021-05-20"), "issuer": .string(issuer),
            "issueDate": .string("2021-05-20"), "status": .string("valid"), "fileSha256": .string(String(repeating: "ab", count: 32)),
        ]
    }

    /// The three files of the store, read as bytes by someone holding a copy of the data folder.
    static func rawFiles(_ bus: TestBus) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for suffix in ["", "-wal", "-shm"] {
            let path = bus.directory + "/sharebus.sqlite" + suffix
            if FileManager.default.fileExists(atPath: path) { files[path] = try Data(contentsOf: URL(fileURLWithPath: path)) }
        }
        return files
    }

    static func expectNoSecrets(_ bus: TestBus, when: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let files = try rawFiles(bus)
        #expect(files.keys.contains { $0.hasSuffix(".sqlite") }, sourceLocation: sourceLocation)
        for (path, bytes) in files {
            for secret in secrets + secrets.map { $0.lowercased() } {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(when): \(secret) in \(path)", sourceLocation: sourceLocation)
            }
        }
        let all = files.values.reduce(Data(), +)
        #expect(all.range(of: Data(issuer.utf8)) != nil, "\(when): the clear L2 issuer is not in the files read", sourceLocation: sourceLocation)
    }

    @Test("L3/L4 values and keys are in no SQLite file, before and after a checkpoint; pull, query, verify and certificate checks still see them")
    func sealedAtRest() async throws {
        try await TestBus.run { bus in
            let world = try await V.world(bus, resources: ["base.population", "cert.marriage"])
            let civil = try TestClient(bus: bus, credential: try bus.pki.department("yc.civil"))
            try await TestPKI.record(civil.credential!, in: bus.store)

            try await world.file([Self.person, V.person.merging(["idNumber": .string(Self.leaverID)]) { $1 }], to: "base.population", by: world.psb)
            let gone = try world.builder(world.psb).envelope(
                sender: V.psb.id, resource: "base.population", operations: [EnvelopeBuilder.delete(Self.leaverID)])
            #expect(try await world.psb.push(gone).status == 201)
            try await world.file([Self.marriage], to: "cert.marriage", by: civil)

            let pull = try await world.subscribe(
                world.tax, to: "base.population", fields: ["name", "birthDate"], permissions: ["pull", "query", "verify"])
            try await world.subscribe(
                world.tax, to: "cert.marriage", fields: ["holderId", "issuer", "status", "issueDate"], permissions: ["query", "verify"])

            // Pull: the clear key and values of the grant; the delete names its clear key.
            let delivery = try #require(try await Exchange.pull(world.tax, pull, bus: bus))
            let messages = Exchange.messages(delivery)
            #expect(messages.count == 3, "\(delivery)")
            #expect(messages.first?["key"] == .string(Self.personID))
            #expect(
                messages.first?["record"]
                    == .object(["idNumber": .string(Self.personID), "name": .string(Self.name), "birthDate": .string("1987-05-29")]))
            #expect(messages.last?["op"] == .string("delete") && messages.last?["key"] == .string(Self.leaverID) && messages.last?["record"] == .null)

            let query = try await world.tax.get("/v1/resources/base.population/records/\(Self.personID)")
            #expect(query.status == 200 && query.json?["record"]?["name"] == .string(Self.name), "\(query.text)")
            let deleted = try await world.tax.get("/v1/resources/base.population/records/\(Self.leaverID)")
            #expect(deleted.status == 404, "\(deleted.text)")

            let match = try await V.verify(
                world.tax, resource: "base.population", key: Self.personID.lowercased(), claims: ["name": .string(Self.name)])
            #expect(match.json?["result"] == .string("match"), "\(match.text)")
            let mismatch = try await V.verify(world.tax, resource: "base.population", key: Self.personID, claims: ["name": .string("纳兰性德")])
            #expect(mismatch.json?["result"] == .string("mismatch"), "\(mismatch.text)")

            for body: [String: JSONValue] in [["holderId": .string(Self.personID)], ["number": .string(Self.certificateNumber)]] {
                let check = try await V.checkCertificate(world.tax, body.merging(["type": .string("marriage")]) { $1 })
                #expect(check.json?["exists"] == .bool(true) && check.json?["current"] == .bool(true), "\(body): \(check.text)")
                #expect(check.json?["issuer"] == .string(Self.issuer), "\(check.text)")
            }
            let materials = try await world.tax.get("/v1/holders/\(Self.personID)/materials")
            let items = materials.json?["materials"]?.arrayValue ?? []
            #expect(items.count == 1 && items.first?["number"] == .string(Self.certificateNumber), "\(materials.text)")

            try Self.expectNoSecrets(bus, when: "running")
            let checkpoint = try await CLIExchange.sqlite(bus.directory + "/sharebus.sqlite", "PRAGMA wal_checkpoint(TRUNCATE);")
            #expect(checkpoint.status == 0, "\(checkpoint)")
            try Self.expectNoSecrets(bus, when: "after a checkpoint")
            // The audit log, as operators read it, names no value either.
            let audit = try await V.auditText(bus)
            for secret in Self.secrets { #expect(!audit.contains(secret), "\(secret) in the audit log") }
        }
    }
}
