import Crypto
import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import ShareBusVerification
import Testing

@Suite("Materials on file, certificate checks and the holder's access log over HTTPS")
struct VerificationHolderTests {
    typealias V = Verification

    static let diploma = Hex.encode(SHA256.hash(data: Array("毕业证书扫描件".utf8)))
    static let lease = Hex.encode(SHA256.hash(data: Array("房屋租赁合同".utf8)))

    /// The company's licence (and an old revoked one), two filed materials of it, one of another holder.
    static func filed(_ world: V.World) async throws {
        let old = V.licence(number: "91640100MA00000001", status: "revoked", sha256: Hex.encode(SHA256.hash(data: Array("旧执照".utf8))))
        try await world.file([V.licence(), old], to: "cert.business-licence", by: world.amr)
        try await world.file(
            [
                V.material(id: "M-2024-0001", holder: V.companyCode, type: "房屋租赁合同", sha256: lease),
                V.material(id: "M-2024-0002", holder: V.companyCode.lowercased(), type: "验资报告", sha256: diploma),
                V.material(id: "M-2024-0003", holder: TestDepartments.creditCode(72), type: "房屋租赁合同", sha256: lease),
            ], to: "base.materials", by: world.bigdata)
    }

    @Test("materials list every certificate and material of the holder, cut to each grant, and nothing of other holders")
    func materials() async throws {
        try await TestBus.run { bus in
            let world = try await V.world(bus)
            try await Self.filed(world)
            try await world.subscribe(
                world.tax, to: "cert.business-licence", fields: ["holderId", "issuer", "issueDate", "expiryDate", "status", "fileSha256"],
                permissions: ["query", "verify"])
            // Materials: everything but the file digest.
            try await world.subscribe(
                world.tax, to: "base.materials", fields: ["holderId", "materialType", "issuer", "status"], permissions: ["query"])

            let reply = try await world.tax.get("/v1/holders/\(V.companyCode.lowercased())/materials?purpose=%E7%A8%8E%E5%8A%A1%E7%99%BB%E8%AE%B0")
            #expect(reply.status == 200, "\(reply.text)")
            let items = try #require(reply.json?["materials"]?.arrayValue)
            #expect(items.count == 4, "two licences and two materials, the lower-case holderId included: \(reply.text)")
            let licence = try #require(items.first { $0["number"] == .string(V.licenceNumber) })
            #expect(
                licence
                    == .object([
                        "resource": .string("cert.business-licence"), "type": .string("cert.business-licence"), "number": .string(V.licenceNumber),
                        "issuer": .string("银川市市场监督管理局"), "issueDate": .string("2024-03-15"), "status": .string("valid"),
                        "sha256": .string(V.licenceSha256),
                    ]))
            let lease = try #require(items.first { $0["number"] == .string("M-2024-0001") })
            #expect(
                lease
                    == .object([
                        "resource": .string("base.materials"), "type": .string("房屋租赁合同"), "number": .string("M-2024-0001"),
                        "issuer": .string("宁夏回族自治区人民政府"), "status": .string("valid"),
                    ]),
                "no sha256: fileSha256 was not granted")
            #expect(!reply.text.contains("M-2024-0003"), "another holder's material")
            #expect(!reply.text.contains(V.representativeID) && !reply.text.contains(V.representative), "fields outside the grant")
            #expect(try await V.evidence(reply, bus: bus).result["materials"]?.arrayValue?.count == 4)

            // A verify-only grant says what is on file and no stored value.
            try await world.subscribe(world.hrss, to: "cert.business-licence", fields: ["issuer", "status"], permissions: ["verify"])
            let verifyOnly = try await world.hrss.get("/v1/holders/\(V.companyCode)/materials")
            #expect(verifyOnly.status == 200, "\(verifyOnly.text)")
            #expect(
                verifyOnly.json?["materials"]
                    == .array([
                        .object(["resource": .string("cert.business-licence"), "type": .string("cert.business-licence")]),
                        .object(["resource": .string("cert.business-licence"), "type": .string("cert.business-licence")]),
                    ]))

            let bad = try await world.tax.get("/v1/holders/not-an-id/materials")
            #expect(bad.status == 400)
            #expect(bad.problemCode == "invalid-parameter")
            let brokenCheck = try await world.tax.get("/v1/holders/\(Exchange.brokenCitizenID(3))/materials")
            #expect(brokenCheck.status == 400)
            let nobody = try await world.tax.get("/v1/holders/\(Exchange.citizenID(3))/materials")
            #expect(nobody.json?["materials"] == .array([]))
            let ungranted = try await world.psb.get("/v1/holders/\(V.companyCode)/materials")
            #expect(ungranted.status == 403)
            #expect(ungranted.problemCode == "not-subscribed")
        }
    }

    @Test("a certificate check answers exists, current, issuer and fileMatches, by number or holder, with evidence")
    func certificates() async throws {
        try await TestBus.run { bus in
            let world = try await V.world(bus)
            try await Self.filed(world)
            let expired = V.licence(number: "91640100MA00000002", holder: TestDepartments.creditCode(73), expiry: "2020-12-31")
            try await world.file([expired], to: "cert.business-licence", by: world.amr)
            try await world.subscribe(world.tax, to: "cert.business-licence", fields: ["status"], permissions: ["verify"])

            let byNumber = try await V.checkCertificate(
                world.tax,
                ["type": .string("cert.business-licence"), "number": .string(V.licenceNumber), "sha256": .string(V.licenceSha256.uppercased())])
            #expect(byNumber.status == 200, "\(byNumber.text)")
            let answer: JSONValue = .object([
                "exists": .bool(true), "current": .bool(true), "issuer": .string("银川市市场监督管理局"), "fileMatches": .bool(true),
            ])
            var members = try #require(byNumber.json?.objectValue)
            members["evidence"] = nil
            #expect(JSONValue.object(members) == answer)
            #expect(try await V.evidence(byNumber, bus: bus).result == answer)

            let wrongFile = try await V.checkCertificate(
                world.tax, ["type": .string("business-licence"), "number": .string(V.licenceNumber), "sha256": .string(Self.lease)])
            #expect(wrongFile.json?["fileMatches"] == .bool(false), "\(wrongFile.text)")
            #expect(!wrongFile.text.contains(V.licenceSha256), "the stored digest never comes back")

            // By holder: the valid licence is the one answered about, not the newer revoked one.
            let byHolder = try await V.checkCertificate(world.tax, ["type": .string("business-licence"), "holderId": .string(V.companyCode)])
            #expect(byHolder.json?["current"] == .bool(true), "\(byHolder.text)")
            #expect(byHolder.json?["fileMatches"] == .null, "no file in hand")

            let revoked = try await V.checkCertificate(
                world.tax, ["type": .string("cert.business-licence"), "number": .string("91640100MA00000001")])
            #expect(revoked.json?["exists"] == .bool(true))
            #expect(revoked.json?["current"] == .bool(false))
            let pastExpiry = try await V.checkCertificate(
                world.tax, ["type": .string("cert.business-licence"), "number": .string("91640100MA00000002")])
            #expect(pastExpiry.json?["exists"] == .bool(true))
            #expect(pastExpiry.json?["current"] == .bool(false), "valid in status but past its expiry date: \(pastExpiry.text)")
            let missing = try await V.checkCertificate(
                world.tax, ["type": .string("cert.business-licence"), "number": .string("91640100MA99999999"), "sha256": .string(V.licenceSha256)])
            #expect(missing.json?["exists"] == .bool(false))
            #expect(missing.json?["current"] == .bool(false))
            #expect(missing.json?["issuer"] == .null)
            #expect(missing.json?["fileMatches"] == .bool(false))

            let notCertificate = try await V.checkCertificate(world.tax, ["type": .string("base.materials"), "number": .string("M-2024-0001")])
            #expect(notCertificate.status == 422)
            #expect(notCertificate.problemCode == "invalid-verification")
            let unknown = try await V.checkCertificate(world.tax, ["type": .string("driving-licence"), "number": .string("1")])
            #expect(unknown.status == 404)
            let both = try await V.checkCertificate(
                world.tax, ["type": .string("business-licence"), "number": .string("1"), "holderId": .string(V.companyCode)])
            #expect(both.status == 422)
            let notSubscribed = try await V.checkCertificate(world.hrss, ["type": .string("business-licence"), "number": .string(V.licenceNumber)])
            #expect(notSubscribed.status == 403)
            #expect(notSubscribed.problemCode == "not-subscribed")

            let audit = try await Exchange.audit(world.ops, action: "verification.certificate")
            #expect(audit.first?["details"]?["fileMatches"] == .bool(true))
            #expect(audit.first?["details"]?["exists"] == .bool(true))
            #expect(audit.first?["details"]?["purpose"] == .string("依法办理政务服务事项"), "the subscription's purpose when none is given")
            let everything = try await V.auditText(bus)
            for value in [V.licenceNumber, V.licenceSha256, V.licenceSha256.uppercased(), V.companyCode] {
                #expect(!everything.contains(value), "\(value) is in the audit log")
            }
        }
    }

    @Test("the access log lists who looked at the holder's data, for the portal only, without values")
    func accessLog() async throws {
        try await TestBus.run { bus in
            let world = try await V.world(bus)
            try await Self.filed(world)
            try await world.file([V.legalPerson], to: "base.legal-person", by: world.amr)
            try await world.subscribe(world.tax, to: "base.legal-person", fields: ["name"], permissions: ["query", "verify"], purpose: "企业所得税汇算清缴")
            try await world.subscribe(world.hrss, to: "cert.business-licence", fields: ["status"], permissions: ["verify"], purpose: "社会保险登记")

            #expect(try await world.tax.get("/v1/resources/base.legal-person/records/\(V.companyCode)").status == 200)
            #expect(
                try await V.verify(
                    world.tax, resource: "base.legal-person", key: V.companyCode, claims: ["name": .string(V.companyName)],
                    purpose: "核验纳税人名称"
                ).status == 200)
            #expect(try await world.hrss.get("/v1/holders/\(V.companyCode)/materials").status == 200)
            #expect(
                try await V.checkCertificate(
                    world.hrss, ["type": .string("business-licence"), "holderId": .string(V.companyCode), "purpose": .string("参保登记核验营业执照")]
                ).status == 200)

            let forbidden = try await world.tax.get("/v1/holders/\(V.companyCode)/access-log")
            #expect(forbidden.status == 403)
            #expect(forbidden.problemCode == "forbidden")

            let log = try await world.portal.get("/v1/holders/\(V.companyCode.lowercased())/access-log")
            #expect(log.status == 200, "\(log.text)")
            let entries = try #require(log.json?["entries"]?.arrayValue)
            let rows = entries.map {
                [$0["department"]?.stringValue, $0["action"]?.stringValue, $0["resource"]?.stringValue, $0["purpose"]?.stringValue]
            }
            #expect(
                rows == [
                    ["yc.tax", "query", "base.legal-person", "企业所得税汇算清缴"],
                    ["yc.tax", "verify", "base.legal-person", "核验纳税人名称"],
                    ["yc.hrss", "materials", "cert.business-licence", "社会保险登记"],
                    ["yc.hrss", "certificate-verify", "cert.business-licence", "参保登记核验营业执照"],
                ], "\(log.text)")
            #expect(entries.allSatisfy { Set($0.objectValue?.keys.map { $0 } ?? []) == ["at", "department", "action", "resource", "purpose"] })
            #expect(entries.allSatisfy { $0["at"]?.stringValue.flatMap(Formats.parseDateTime) != nil })
            for value in [V.companyName, V.licenceNumber, V.representative] { #expect(!log.text.contains(value)) }

            let paged = try await world.portal.get("/v1/holders/\(V.companyCode)/access-log?limit=1")
            #expect(paged.json?["entries"]?.arrayValue?.count == 1)
            let next = try #require(paged.json?["next"])
            guard case .integer(let from) = next else {
                Issue.record("next is \(next)")
                return
            }
            let second = try await world.portal.get("/v1/holders/\(V.companyCode)/access-log?from=\(from)&limit=1")
            #expect(second.json?["entries"]?.arrayValue?.first?["action"] == .string("verify"))

            let other = try await world.portal.get("/v1/holders/\(TestDepartments.creditCode(72))/access-log")
            #expect(other.json?["entries"] == .array([]))
            #expect(try await world.portal.get("/v1/holders/123/access-log").status == 400)
        }
    }
}
