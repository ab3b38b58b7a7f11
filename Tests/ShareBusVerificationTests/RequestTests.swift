import Foundation
import ShareBusCore
import ShareBusStore
import Testing

@testable import ShareBusStore
@testable import ShareBusVerification

@Suite("Verification requests are checked for form before anything is looked up")
struct RequestTests {
    static func body(_ edit: (inout [String: JSONValue]) -> Void) -> JSONValue {
        var object: [String: JSONValue] = [
            "resource": "base.population", "key": "11010519491231002X", "claims": .object(["name": "张三"]), "purpose": "核验申请人身份",
        ]
        edit(&object)
        return .object(object)
    }

    static func problems(_ body: JSONValue) -> [String] {
        do {
            _ = try VerifyRequest.parse(body, configuration: VerificationConfiguration())
            return []
        } catch let error as ShareBusError {
            #expect(error.code == .invalidVerification)
            return error.problems.map(\.pointer)
        } catch {
            return ["?"]
        }
    }

    @Test("a good request parses, claims in name order")
    func good() throws {
        let request = try VerifyRequest.parse(
            Self.body { $0["claims"] = .object(["name": "张三", "birthDate": "1949-12-31"]) }, configuration: VerificationConfiguration())
        #expect(request.claims.map(\.field) == ["birthDate", "name"])
        #expect(request.purpose == "核验申请人身份")
    }

    @Test(
        "purpose is required, not empty and at most 500 characters",
        arguments: [
            (nil, false), ("", false), ("  \u{3000}", false), (String(repeating: "核", count: 500), true),
            (String(repeating: "核", count: 501), false),
        ] as [(String?, Bool)])
    func purpose(_ purpose: String?, _ accepted: Bool) {
        let body = Self.body { $0["purpose"] = purpose.map(JSONValue.string) }
        #expect(Self.problems(body) == (accepted ? [] : ["/purpose"]))
    }

    @Test("missing members, empty or nested claims and unknown members are named by pointer")
    func problems() {
        #expect(Self.problems(Self.body { $0["resource"] = nil }) == ["/resource"])
        #expect(Self.problems(Self.body { $0["key"] = .array([]) }) == ["/key"])
        #expect(Self.problems(Self.body { $0["claims"] = .object([:]) }) == ["/claims"])
        #expect(Self.problems(Self.body { $0["claims"] = .object(["name": .object([:])]) }) == ["/claims/name"])
        #expect(Self.problems(Self.body { $0["extra"] = .bool(true) }) == ["/extra"])
        #expect(Self.problems(.array([])) == [""])
    }

    @Test("a certificate check names the number or the holder, not both, and a well-formed sha256")
    func certificate() throws {
        func parse(_ object: [String: JSONValue]) throws -> CertificateRequest {
            try CertificateRequest.parse(.object(object), configuration: VerificationConfiguration())
        }
        let byNumber = try parse(["type": "business-licence", "number": "640100000012345", "sha256": .string(String(repeating: "AB", count: 32))])
        #expect(byNumber.sha256 == String(repeating: "ab", count: 32), "hex is compared lower-cased")
        #expect(throws: ShareBusError.self) { try parse(["type": "cert.business-licence"]) }
        #expect(throws: ShareBusError.self) { try parse(["type": "cert.business-licence", "number": "1", "holderId": "2"]) }
        #expect(throws: ShareBusError.self) { try parse(["type": "cert.business-licence", "number": "1", "sha256": "abc"]) }
        #expect(throws: ShareBusError.self) { try parse(["number": "1"]) }
    }
}

@Suite("Finding a holder's records")
struct HolderQueryTests {
    @Test("the holder query uses the v5-verification expression index")
    func index() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("holder-index-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        let plan = try await store.holderQueryPlan()
        #expect(plan.contains { $0.contains("record_state_holder") }, "\(plan)")
        #expect(try await store.currentRecords(resource: "cert.business-licence", holderId: "X", limit: 10).isEmpty)
    }
}
