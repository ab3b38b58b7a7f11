import Foundation
import ShareBusCore
import Testing

@testable import ShareBusVerification

@Suite("The subject key file")
struct SubjectKeyTests {
    @Test("created with 32 random bytes and mode 0600, read back, and never replaced")
    func file() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("subject-key-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/bus/subject-key"
        let (key, created) = try SubjectKey.loadOrCreate(atPath: path)
        #expect(created)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect((attributes[.size] as? NSNumber)?.intValue == 32)
        let (again, createdAgain) = try SubjectKey.loadOrCreate(atPath: path)
        #expect(!createdAgain)
        #expect(again.digest(holderId: "11010519491231002X") == key.digest(holderId: "11010519491231002X"), "the same key")
        #expect(try SubjectKey.read(atPath: path).digest(holderId: "x") == key.digest(holderId: "x"))
        #expect(key.digest(holderId: "11010519491231002X").count == 64)
    }

    @Test("a missing or short key file is refused, naming the file")
    func refused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("short-key-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ShareBusError.self) { try SubjectKey.read(atPath: path) }
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        do {
            _ = try SubjectKey.read(atPath: path)
            Issue.record("a 3-byte key was accepted")
        } catch let error as ShareBusError {
            #expect(error.detail.contains(path))
        }
    }
}

@Suite("Certificates: current or not, and which record a holder check answers about")
struct CertificateStatusTests {
    static let today = LocalDate(year: 2026, month: 11, day: 22)!

    @Test(
        "current means valid and not past its expiry day",
        arguments: [
            (["status": "valid"], true),
            (["status": "valid", "expiryDate": "2026-11-22"], true),
            (["status": "valid", "expiryDate": "2030-01-01"], true),
            (["status": "valid", "expiryDate": .null], true),
            (["status": "valid", "expiryDate": "2026-11-21"], false),
            (["status": "valid", "expiryDate": "not a date"], false),
            (["status": "revoked"], false),
            (["status": "cancelled", "expiryDate": "2030-01-01"], false),
            (["status": "expired"], false),
            ([:], false),
        ] as [([String: JSONValue], Bool)])
    func current(_ record: [String: JSONValue], _ expected: Bool) {
        #expect(HolderResources.isCurrent(record, today: Self.today) == expected)
    }

    @Test("a current certificate is chosen before a newer revoked one, then the latest issued")
    func choice() {
        let old: [String: JSONValue] = ["status": "valid", "issueDate": "2020-01-01", "issuer": "甲"]
        let revoked: [String: JSONValue] = ["status": "revoked", "issueDate": "2025-01-01", "issuer": "乙"]
        let newer: [String: JSONValue] = ["status": "valid", "issueDate": "2024-01-01", "issuer": "丙"]
        #expect(HolderResources.choose([(old, 1), (revoked, 2)], today: Self.today)?["issuer"] == "甲")
        #expect(HolderResources.choose([(old, 1), (revoked, 2), (newer, 3)], today: Self.today)?["issuer"] == "丙")
        #expect(HolderResources.choose([(revoked, 2)], today: Self.today)?["issuer"] == "乙")
        #expect(HolderResources.choose([], today: Self.today) == nil)
    }
}
