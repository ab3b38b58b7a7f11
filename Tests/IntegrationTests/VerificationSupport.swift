import Crypto
import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore
import ShareBusTesting
import ShareBusVerification
import Testing

/// What the verification and once-only tests share: the platform's departments, the shipped catalog,
/// a company and a person with their records, and small HTTP helpers.
enum Verification {
    static let bigdata = TestDepartments.make("yc.bigdata", roles: [.steward, .provider, .consumer], number: 61)
    static let amr = TestDepartments.make("yc.amr", roles: [.provider, .consumer], number: 62)
    static let psb = TestDepartments.make("yc.psb", roles: [.provider, .consumer], number: 63)
    static let tax = TestDepartments.make("yc.tax", roles: [.consumer], number: 64)
    static let hrss = TestDepartments.make("yc.hrss", roles: [.consumer], number: 65)
    static let portal = TestDepartments.make("yc.portal", roles: [.portal], number: 66)

    // MARK: The company and the people

    /// 宁夏塞上云帆科技有限公司: a company registered by market regulation (authority 9).
    static let companyCode = TestDepartments.creditCode(71)
    static let companyName = "宁夏塞上云帆科技有限公司"
    static let representative = "马晓燕"
    static let representativeID = citizenID("64010419850316", 27)
    static let licenceNumber = "91640100MA76543210"
    /// The licence copy the applicant brings: its SHA-256 is what the bus holds.
    static let licenceFile = Array("营业执照（副本）电子证照 OFD 文件内容 \(licenceNumber)".utf8)
    static var licenceSha256: String { Hex.encode(SHA256.hash(data: licenceFile)) }

    /// 张三, the person of the population tests, born 1949-12-31, with an `X` check character.
    static let personID = "11010519491231002X"
    static let personName = "张三"

    /// A valid GB 11643 number from a division and birth date (`YYYYMMDD` after six digits) and a sequence.
    static func citizenID(_ divisionAndBirth: String, _ sequence: Int) -> String {
        let first17 = divisionAndBirth + String(format: "%03d", sequence)
        return first17 + String(CitizenID.checkCharacter(for: first17)!)
    }

    static func licence(
        number: String = licenceNumber, holder: String = companyCode, status: String = "valid", expiry: String? = nil,
        sha256: String = licenceSha256
    ) -> [String: JSONValue] {
        var record: [String: JSONValue] = [
            "licenceNumber": .string(number), "holderId": .string(holder), "holderName": .string(companyName),
            "entityType": .string("有限责任公司（自然人投资或控股）"), "legalRepresentative": .string(representative),
            "legalRepresentativeId": .string(representativeID), "registeredCapital": .integer(500), "establishedDate": .string("2019-06-18"),
            "address": .string("宁夏银川市金凤区阅海湾中央商务区万寿路142号"), "issuer": .string("银川市市场监督管理局"),
            "issueDate": .string("2024-03-15"), "status": .string(status), "fileSha256": .string(sha256),
        ]
        if let expiry { record["expiryDate"] = .string(expiry) }
        return record
    }

    static var legalPerson: [String: JSONValue] {
        [
            "creditCode": .string(companyCode), "name": .string(companyName), "entityType": .string("有限责任公司"),
            "legalRepresentative": .string(representative), "legalRepresentativeId": .string(representativeID),
            "registeredCapital": .integer(500), "establishedDate": .string("2019-06-18"), "status": .string("存续"),
        ]
    }

    static var person: [String: JSONValue] {
        [
            "idNumber": .string(personID), "name": .string(personName), "gender": .string("男"), "birthDate": .string("1949-12-31"),
            "nativePlace": .string("北京市朝阳区"),
        ]
    }

    static func material(id: String, holder: String, type: String, sha256: String, status: String = "valid") -> [String: JSONValue] {
        [
            "materialId": .string(id), "holderId": .string(holder), "holderName": .string(companyName), "materialType": .string(type),
            "materialName": .string("\(type)（复印件）"), "number": .string("NX-\(id)"), "issuer": .string("宁夏回族自治区人民政府"),
            "issueDate": .string("2023-09-01"), "status": .string(status), "fileSha256": .string(sha256), "filedBy": .string("yc.tax"),
        ]
    }

    // MARK: The bus

    /// The shipped resource file `Catalogs/<code>.json`.
    static func catalog(_ code: String) throws -> JSONValue {
        try StrictJSON.parse(Array(try Data(contentsOf: repositoryRoot.appendingPathComponent("Catalogs/\(code).json"))))
    }

    struct World {
        let bus: TestBus
        let bigdata: TestClient
        let amr: TestClient
        let psb: TestClient
        let tax: TestClient
        let hrss: TestClient
        let portal: TestClient
        let ops: TestClient

        func builder(_ client: TestClient) throws -> EnvelopeBuilder { try EnvelopeBuilder(credential: client.credential!) }

        /// Pushes upserts of `records` to `resource` as its provider `client`, expecting 201.
        func file(_ records: [[String: JSONValue]], to resource: String, by client: TestClient, sourceLocation: SourceLocation = #_sourceLocation)
            async throws
        {
            let sender = client.credential!.certificate.subjectCommonName!
            let body = try builder(client).envelope(sender: sender, resource: resource, operations: records.map(EnvelopeBuilder.upsert))
            let reply = try await client.push(body)
            #expect(reply.status == 201, "push to \(resource): \(reply.text)", sourceLocation: sourceLocation)
        }

        /// Subscribes and, for a conditional resource, has its provider approve every asked field; answers the id.
        @discardableResult
        func subscribe(
            _ consumer: TestClient, to resource: String, fields: [String], permissions: [String], purpose: String = "依法办理政务服务事项",
            sourceLocation: SourceLocation = #_sourceLocation
        ) async throws -> String {
            let reply = try await consumer.post(
                "/v1/subscriptions",
                json: .object([
                    "resource": .string(resource), "fields": .array(fields.map(JSONValue.string)),
                    "permissions": .array(permissions.map(JSONValue.string)), "purpose": .string(purpose),
                    "basis": .string("《国务院关于在线政务服务的若干规定》（国务院令第716号）"),
                ]))
            #expect(reply.status == 201, "subscribe to \(resource): \(reply.text)", sourceLocation: sourceLocation)
            let id = try #require(reply.json?["id"]?.stringValue, sourceLocation: sourceLocation)
            if reply.json?["status"]?.stringValue == "pending" {
                let approved = try await bigdata.post("/v1/subscriptions/\(id)/approve")
                #expect(approved.status == 200, "approve: \(approved.text)", sourceLocation: sourceLocation)
            }
            return id
        }
    }

    /// A bus with the platform's departments and the shipped catalog entries `resources` published.
    static func world(
        _ bus: TestBus,
        resources: [String] = ["base.population", "base.legal-person", "cert.business-licence", "cert.marriage", "base.materials"]
    ) async throws -> World {
        let bigdata = try await bus.department(bigdata)
        let world = World(
            bus: bus, bigdata: bigdata, amr: try await bus.department(amr), psb: try await bus.department(psb),
            tax: try await bus.department(tax), hrss: try await bus.department(hrss), portal: try await bus.department(portal),
            ops: try await bus.operator("ops"))
        _ = try await bus.department(TestDepartments.make("yc.civil", roles: [.provider, .consumer], number: 67))
        for code in resources {
            let created = try await bigdata.post("/v1/resources", json: try catalog(code))
            #expect(created.status == 201, "create \(code): \(created.text)")
            let published = try await bigdata.post("/v1/resources/\(code)/publish")
            #expect(published.status == 200, "publish \(code): \(published.text)")
        }
        return world
    }

    // MARK: Requests

    static func verify(_ client: TestClient, resource: String, key: String, claims: [String: JSONValue], purpose: String? = "核验申请材料")
        async throws -> TestClient.Reply
    {
        var body: [String: JSONValue] = ["resource": .string(resource), "key": .string(key), "claims": .object(claims)]
        if let purpose { body["purpose"] = .string(purpose) }
        return try await client.post("/v1/verify", json: .object(body))
    }

    static func checkCertificate(_ client: TestClient, _ body: [String: JSONValue]) async throws -> TestClient.Reply {
        try await client.post("/v1/certificates/verify", json: .object(body))
    }

    /// The evidence of an answer, checked with the test bus's CA and signing certificate; its payload.
    static func evidence(_ reply: TestClient.Reply, bus: TestBus, sourceLocation: SourceLocation = #_sourceLocation) async throws
        -> EvidenceVerifier.Verified
    {
        let evidence = try #require(reply.json?["evidence"]?.stringValue, "no evidence in \(reply.text)", sourceLocation: sourceLocation)
        let verifier = EvidenceVerifier(caCertificate: bus.pki.ca.certificate, busCertificate: bus.pki.busSigning.certificate)
        return try await verifier.verify(evidence)
    }

    /// Everything an answer shows a caller: status line, headers and body, as one text.
    static func visible(_ reply: TestClient.Reply) -> String {
        reply.headers.map { "\($0.0): \($0.1)" }.joined(separator: "\n") + "\n" + reply.text
    }

    /// Every audit entry, as JSON text, read straight from the store.
    static func auditText(_ bus: TestBus) async throws -> String {
        let entries = try await bus.store.auditEntries(AuditQuery(limit: 100_000))
        return String(decoding: try JSONEncoder().encode(entries), as: UTF8.self)
    }
}
