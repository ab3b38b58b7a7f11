import Crypto
import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import ShareBusVerification
import Testing

@Suite("Once-only, end to end: what the government holds is checked, never handed over again", .timeLimit(.minutes(3)))
struct OnceOnlyTests {
    typealias V = Verification

    @Test("market regulation files a licence; tax and social security check it and its company without a re-upload; the portal sees who looked")
    func onceOnly() async throws {
        try await TestBus.run { bus in
            let world = try await V.world(bus, resources: ["base.legal-person", "cert.business-licence", "base.materials"])

            // 1. The market-regulation department registers the company and files its business licence.
            try await world.file([V.legalPerson], to: "base.legal-person", by: world.amr)
            try await world.file([V.licence()], to: "cert.business-licence", by: world.amr)

            // 2. The tax department holds verify and query grants; social security a verify grant.
            try await world.subscribe(
                world.tax, to: "cert.business-licence", fields: ["holderId", "issuer", "issueDate", "expiryDate", "status", "fileSha256"],
                permissions: ["query", "verify"], purpose: "办理新办纳税人套餐式服务")
            try await world.subscribe(
                world.tax, to: "base.legal-person", fields: ["name", "legalRepresentative", "legalRepresentativeId"],
                permissions: ["query", "verify"], purpose: "办理新办纳税人套餐式服务")
            try await world.subscribe(world.hrss, to: "cert.business-licence", fields: ["status"], permissions: ["verify"], purpose: "单位参保登记")
            let filed = try await Exchange.Snapshot.take(bus, resources: ["base.legal-person", "cert.business-licence", "base.materials"])

            // 3. The applicant gives only the credit code and brings the licence copy; tax finds what is on file.
            let materials = try await world.tax.get("/v1/holders/\(V.companyCode)/materials?purpose=\(Self.query("新办纳税人信息确认"))")
            #expect(materials.status == 200, "\(materials.text)")
            let items = materials.json?["materials"]?.arrayValue ?? []
            #expect(items.count == 1)
            #expect(items.first?["number"] == .string(V.licenceNumber))
            #expect(items.first?["sha256"] == .string(V.licenceSha256))
            #expect(items.first?["status"] == .string("valid"))

            // 4. It checks the licence number and the SHA-256 of the copy in hand; then a copy that differs.
            let check = try await V.checkCertificate(
                world.tax,
                [
                    "type": .string("business-licence"), "number": .string(V.licenceNumber), "sha256": .string(V.licenceSha256),
                    "purpose": .string("核验申请人提交的营业执照"),
                ])
            #expect(check.status == 200, "\(check.text)")
            #expect(check.json?["exists"] == .bool(true))
            #expect(check.json?["current"] == .bool(true))
            #expect(check.json?["issuer"] == .string("银川市市场监督管理局"))
            #expect(check.json?["fileMatches"] == .bool(true))
            let altered = Hex.encode(SHA256.hash(data: V.licenceFile + Array(" ".utf8)))
            let wrongCopy = try await V.checkCertificate(
                world.tax,
                [
                    "type": .string("business-licence"), "number": .string(V.licenceNumber), "sha256": .string(altered),
                    "purpose": .string("核验申请人提交的营业执照"),
                ])
            #expect(wrongCopy.json?["fileMatches"] == .bool(false), "\(wrongCopy.text)")
            #expect(wrongCopy.json?["current"] == .bool(true))

            // 5. It verifies the legal representative the applicant names, as typed (full-width space, lower-case x).
            let representative = try await V.verify(
                world.tax, resource: "base.legal-person", key: V.companyCode,
                claims: [
                    "legalRepresentative": .string(V.representative + "\u{3000}"), "legalRepresentativeId": .string(V.representativeID.lowercased()),
                ],
                purpose: "核验法定代表人身份")
            #expect(representative.status == 200, "\(representative.text)")
            #expect(representative.json?["result"] == .string("match"))
            #expect(representative.json?["fields"] == .object(["legalRepresentative": .bool(true), "legalRepresentativeId": .bool(true)]))
            let wrongName = try await V.verify(
                world.tax, resource: "base.legal-person", key: V.companyCode,
                claims: ["legalRepresentative": .string("马小燕"), "legalRepresentativeId": .string(V.representativeID)], purpose: "核验法定代表人身份")
            #expect(wrongName.json?["result"] == .string("mismatch"))
            #expect(wrongName.json?["fields"] == .object(["legalRepresentative": .bool(false), "legalRepresentativeId": .bool(true)]))
            #expect(!wrongName.text.contains(V.representative), "the stored name is never shown")

            // 6. Social security checks the same licence by the holder alone.
            let social = try await V.checkCertificate(
                world.hrss, ["type": .string("cert.business-licence"), "holderId": .string(V.companyCode), "purpose": .string("单位参保登记核验营业执照")])
            #expect(social.json?["current"] == .bool(true), "\(social.text)")

            // Nothing was uploaded again: no envelope, no new log entry.
            let after = try await Exchange.Snapshot.take(bus, resources: ["base.legal-person", "cert.business-licence", "base.materials"])
            #expect(after.heads == filed.heads)

            // 7. The portal shows the company who looked, what for and when.
            let log = try await world.portal.get("/v1/holders/\(V.companyCode)/access-log")
            #expect(log.status == 200, "\(log.text)")
            let entries = log.json?["entries"]?.arrayValue ?? []
            let rows = entries.map {
                "\($0["department"]?.stringValue ?? "?") \($0["action"]?.stringValue ?? "?") \($0["resource"]?.stringValue ?? "?") \($0["purpose"]?.stringValue ?? "-")"
            }
            #expect(
                rows == [
                    "yc.tax materials cert.business-licence 新办纳税人信息确认",
                    "yc.tax certificate-verify cert.business-licence 核验申请人提交的营业执照",
                    "yc.tax certificate-verify cert.business-licence 核验申请人提交的营业执照",
                    "yc.tax verify base.legal-person 核验法定代表人身份",
                    "yc.tax verify base.legal-person 核验法定代表人身份",
                    "yc.hrss certificate-verify cert.business-licence 单位参保登记核验营业执照",
                ], "\(log.text)")
            #expect(!log.text.contains(V.representative) && !log.text.contains(V.licenceNumber))

            // 8. Every answer's evidence verifies offline with the real `sharebus evidence verify`.
            let folder = try CLIWorkspace()
            defer { folder.remove() }
            try bus.pki.ca.certificatePEM.write(toFile: folder.path("ca.pem"), atomically: true, encoding: .utf8)
            try bus.pki.busSigning.certificatePEM.write(toFile: folder.path("bus.pem"), atomically: true, encoding: .utf8)
            let answers = [
                ("materials", materials), ("check", check), ("wrong-copy", wrongCopy), ("representative", representative),
                ("wrong-name", wrongName), ("social", social),
            ]
            for (name, reply) in answers {
                // The whole answer as saved from curl for some, the bare JWS for the others.
                let evidence = try #require(reply.json?["evidence"]?.stringValue)
                let file = folder.path("\(name).json")
                try Data(name.hasPrefix("wrong") ? Array(evidence.utf8) : reply.body).write(to: URL(fileURLWithPath: file))
                let result = try await CLI.run(["evidence", "verify", file, "--ca", folder.path("ca.pem"), "--bus", folder.path("bus.pem")])
                #expect(result.status == 0, "\(name): \(result)")
                let payload = try StrictJSON.parse(Array(result.stdout.utf8))
                var expected = try #require(reply.json?.objectValue)
                expected["evidence"] = nil
                #expect(payload["result"] == .object(expected), "\(name): \(result)")
                #expect(payload["caller"]?.stringValue?.hasPrefix("urn:sharebus:dept:") == true)
            }

            // A changed byte, or another bus's certificate, fails with a reason and exit status 1.
            let original = try #require(representative.json?["evidence"]?.stringValue)
            var bytes = Array(original.utf8)
            let payloadStart = try #require(bytes.firstIndex(of: UInt8(ascii: "."))) + 1
            bytes[payloadStart + 10] = bytes[payloadStart + 10] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            try Data(bytes).write(to: URL(fileURLWithPath: folder.path("tampered.jws")))
            let tampered = try await CLI.run([
                "evidence", "verify", folder.path("tampered.jws"), "--ca", folder.path("ca.pem"), "--bus", folder.path("bus.pem"),
            ])
            #expect(tampered.status == 1, "\(tampered)")
            #expect(tampered.stderr.contains("does not verify"), "\(tampered)")
            #expect(tampered.stdout.isEmpty)
            let otherBus = try TestPKI()
            try otherBus.busSigning.certificatePEM.write(toFile: folder.path("other-bus.pem"), atomically: true, encoding: .utf8)
            try otherBus.ca.certificatePEM.write(toFile: folder.path("other-ca.pem"), atomically: true, encoding: .utf8)
            let wrongBus = try await CLI.run(
                [
                    "evidence", "verify", folder.path("representative.json"), "--ca", folder.path("other-ca.pem"), "--bus",
                    folder.path("other-bus.pem"),
                ])
            #expect(wrongBus.status == 1, "\(wrongBus)")
            #expect(wrongBus.stderr.contains("representative.json"), "names the file: \(wrongBus)")
            let wrongCA = try await CLI.run(
                ["evidence", "verify", folder.path("representative.json"), "--ca", folder.path("other-ca.pem"), "--bus", folder.path("bus.pem")])
            #expect(wrongCA.status == 1, "\(wrongCA)")
            #expect(wrongCA.stderr.contains("does not chain"), "\(wrongCA)")
        }
    }

    static func query(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}
