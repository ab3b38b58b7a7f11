import Foundation
import ShareBusCore
import ShareBusTesting
import Testing

/// The answer is refused at the TLS layer (the handshake fails) or with 401 problem+json.
func expectRefused(_ client: TestClient, _ path: String = "/v1/departments", sourceLocation: SourceLocation = #_sourceLocation) async {
    do {
        let reply = try await client.get(path)
        #expect(reply.status == 401, "expected refusal, got \(reply.status) \(reply.text)", sourceLocation: sourceLocation)
        #expect(reply.header("content-type") == "application/problem+json", sourceLocation: sourceLocation)
    } catch {
        // The handshake failed: the request never reached a route.
    }
}

/// Test departments: a steward, two providers, a consumer.
enum Fixture {
    static let steward = TestDepartments.make("yc.bigdata", roles: [.steward, .consumer], number: 1)
    static let psb = TestDepartments.make("yc.psb", roles: [.provider, .consumer], number: 2)
    static let tax = TestDepartments.make("yc.tax", roles: [.consumer], number: 3)

    static func resource(code: String = "base.population", provider: String = "yc.psb", extraFields: [JSONValue] = []) -> JSONValue {
        .object([
            "code": .string(code),
            "name": .string("人口基础信息"),
            "category": .string("population"),
            "provider": .string(provider),
            "description": .string("常住人口基础信息"),
            "primaryKey": .string("idNumber"),
            "fields": .array(
                [
                    .object([
                        "name": .string("idNumber"), "title": .string("公民身份号码"), "type": .string("citizenId"),
                        "required": .bool(true), "sensitivity": .string("L3"),
                    ]),
                    .object([
                        "name": .string("name"), "title": .string("姓名"), "type": .string("string"), "required": .bool(true),
                        "sensitivity": .string("L3"),
                    ]),
                ] + extraFields),
            "sharing": .object(["type": .string("conditional"), "conditions": .string("依法履职"), "basis": .string("国发〔2016〕51号")]),
            "open": .bool(false),
            "updateCycle": .string("realtime"),
            "version": .integer(1),
            "status": .string("draft"),
        ])
    }

    static func field(_ name: String, type: String = "string", required: Bool = false) -> JSONValue {
        .object(["name": .string(name), "type": .string(type), "required": .bool(required), "sensitivity": .string("L2")])
    }
}

/// The repository root, for tests that run the built binary or read docs.
let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
