import Foundation
import Logging
import NIOHTTP1
import ShareBusCore
import ShareBusCrypto
import ShareBusHTTP
import ShareBusStore
import ShareBusTesting
import Testing

/// Function-level authorization (OWASP API5): every route the bus serves, called by every kind
/// of caller over real mutual TLS, against a table of who may call it. The routes come from the
/// bus's own `RouteRegistry` and its served OpenAPI document, so a route added without a row here
/// fails the test.
@Suite("Security: function-level authorization")
struct SecurityFunctionLevelTests {
    enum Role: String, CaseIterable, Sendable {
        /// yc.civil: holds the subscriptions used below (pull, query, verify on base.population).
        case consumer
        /// yc.health: a department with nothing to do with them.
        case stranger
        /// yc.psb: provides base.population.
        case provider
        /// yc.bigdata: catalog steward.
        case steward
        /// yc.portal: the citizen service portal.
        case portal
        case `operator`
        case auditor
    }

    static let departments: Set<Role> = [.consumer, .stranger, .provider, .steward, .portal]
    static let everyone = Set(Role.allCases)

    /// One row: the route, the concrete request made, and the roles that may call it.
    struct Rule: Sendable {
        let method: HTTPMethod
        let template: String
        let path: String
        let body: [UInt8]?
        let contentType: String
        let allowed: Set<Role>
    }

    /// The ids the concrete requests use.
    struct Targets {
        /// yc.civil's subscription used for delivery and operator routes.
        let delivery: String
        /// yc.civil's subscription that decision routes act on (revoked by the end).
        let managed: String
        let key: String
    }

    /// The table, in the order the requests are made (state-changing rows after the rows that need
    /// the state they change; the revocation last).
    static func rules(_ t: Targets) -> [Rule] {
        func rule(
            _ method: HTTPMethod, _ template: String, _ path: String, body: String? = nil, type: String = "application/json",
            _ allowed: Set<Role>
        ) -> Rule {
            Rule(method: method, template: template, path: path, body: body.map { Array($0.utf8) }, contentType: type, allowed: allowed)
        }
        func rule(_ method: HTTPMethod, _ template: String, body: String? = nil, type: String = "application/json", _ allowed: Set<Role>) -> Rule {
            rule(method, template, template, body: body, type: type, allowed)
        }
        let allButAuditor = everyone.subtracting([.auditor])
        let code = Exchange.code
        let missing = "security.none"
        return [
            rule(.GET, "/healthz", everyone),
            rule(.GET, "/readyz", everyone),
            rule(.GET, "/v1/openapi.json", everyone),
            rule(.GET, "/v1/pki/ca.pem", everyone),
            rule(.GET, "/v1/pki/bus.pem", everyone),
            rule(.GET, "/v1/pki/crl", everyone),
            rule(.GET, "/v1/departments", allButAuditor),
            rule(.GET, "/v1/departments/{id}", "/v1/departments/yc.civil", allButAuditor),
            rule(.POST, "/v1/departments/{id}/suspend", "/v1/departments/yc.nobody/suspend", [.operator]),
            rule(.POST, "/v1/departments/{id}/resume", "/v1/departments/yc.nobody/resume", [.operator]),
            rule(.GET, "/v1/resources", allButAuditor),
            rule(.GET, "/v1/resources/{code}", "/v1/resources/\(code)", allButAuditor),
            rule(.POST, "/v1/resources", body: "{}", [.steward]),
            rule(.PUT, "/v1/resources/{code}", "/v1/resources/\(missing)", body: "{}", [.steward]),
            rule(.POST, "/v1/resources/{code}/publish", "/v1/resources/\(missing)/publish", [.steward]),
            rule(.POST, "/v1/resources/{code}/retire", "/v1/resources/\(missing)/retire", [.steward]),
            rule(.POST, "/v1/envelopes", body: "{}", type: "application/jose+json", departments),
            rule(.POST, "/v1/subscriptions", body: "{}", departments),
            rule(.GET, "/v1/subscriptions", allButAuditor),
            rule(.GET, "/v1/subscriptions/{id}", "/v1/subscriptions/\(t.delivery)", [.consumer, .provider, .steward, .operator]),
            rule(.GET, "/v1/subscriptions/{id}/messages", "/v1/subscriptions/\(t.delivery)/messages", [.consumer]),
            rule(.POST, "/v1/subscriptions/{id}/ack", "/v1/subscriptions/\(t.delivery)/ack", body: #"{"sequence": 0}"#, [.consumer]),
            rule(.GET, "/v1/resources/{code}/records/{key}", "/v1/resources/\(code)/records/\(t.key)", [.consumer]),
            rule(.POST, "/v1/subscriptions/{id}/approve", "/v1/subscriptions/\(t.managed)/approve", [.provider, .steward]),
            rule(.POST, "/v1/subscriptions/{id}/reject", "/v1/subscriptions/\(t.managed)/reject", body: #"{"reason": "不符合"}"#, [.provider, .steward]),
            rule(.POST, "/v1/subscriptions/{id}/suspend", "/v1/subscriptions/\(t.managed)/suspend", [.provider, .steward, .operator]),
            rule(.POST, "/v1/subscriptions/{id}/resume", "/v1/subscriptions/\(t.managed)/resume", [.provider, .steward, .operator]),
            rule(.GET, "/v1/audit", [.operator, .auditor]),
            rule(.GET, "/v1/audit/checkpoints", everyone),
            rule(.GET, "/v1/ops/queues", [.operator]),
            rule(.POST, "/v1/ops/subscriptions/{id}/pause", "/v1/ops/subscriptions/\(t.delivery)/pause", [.operator]),
            rule(.POST, "/v1/ops/subscriptions/{id}/resume", "/v1/ops/subscriptions/\(t.delivery)/resume", [.operator]),
            rule(.GET, "/v1/ops/subscriptions/{id}/dead-letters", "/v1/ops/subscriptions/\(t.delivery)/dead-letters", [.operator]),
            rule(
                .POST, "/v1/ops/subscriptions/{id}/dead-letters/{dlId}/replay",
                "/v1/ops/subscriptions/\(t.delivery)/dead-letters/00000000-0000-0000-0000-000000000000/replay", [.operator]),
            rule(
                .DELETE, "/v1/ops/subscriptions/{id}/dead-letters/{dlId}",
                "/v1/ops/subscriptions/\(t.delivery)/dead-letters/00000000-0000-0000-0000-000000000000", [.operator]),
            rule(.POST, "/v1/verify", body: "{}", departments),
            rule(.POST, "/v1/certificates/verify", body: "{}", departments),
            // Departments may call it, and answer `not-subscribed` without a grant on a holder resource;
            // nobody here holds one (VerificationHolderTests covers a granted department).
            rule(.GET, "/v1/holders/{holderId}/materials", "/v1/holders/\(t.key)/materials", []),
            rule(.GET, "/v1/holders/{holderId}/access-log", "/v1/holders/\(t.key)/access-log", [.portal]),
            rule(.GET, "/metrics", [.operator]),
            rule(.GET, "/ui/", [.operator]),
            rule(.GET, "/ui/confirm", "/ui/confirm?action=pause&subscription=\(t.delivery)", [.operator]),
            rule(.POST, "/ui/actions", body: "action=pause", type: "application/x-www-form-urlencoded", [.operator]),
            rule(.GET, "/ui/assets/dashboard.css", allButAuditor),
            rule(.GET, "/ui/assets/dashboard.js", allButAuditor),
            rule(.POST, "/v1/subscriptions/{id}/revoke", "/v1/subscriptions/\(t.managed)/revoke", [.provider, .steward, .operator]),
        ]
    }

    /// Refused as a matter of function or object: 403 (problem+json, or the dashboard's
    /// operators-only page), or 404 `subscription-not-found` for a subscription the caller may not
    /// know exists. Anything else (200, 201, 400, 404 of a missing target, 409, ...) got past the check.
    static func refused(_ reply: TestClient.Reply) -> Bool {
        if reply.status == 403 {
            return reply.problemCode != nil || reply.text.contains("仅限运维人员")
        }
        return reply.status == 404 && reply.problemCode == "subscription-not-found"
    }

    @Test("every route x every role answers as the table says, and the table names every route the bus serves")
    func matrix() async throws {
        try await SecurityBus.run { bus in
            let world = try await Exchange.world(bus, publishing: [Exchange.resource()])
            let clients: [Role: TestClient] = [
                .consumer: try await bus.department(Security.civil), .stranger: try await bus.department(Security.health),
                .provider: world.provider, .steward: world.steward, .portal: try await bus.department(Security.portal),
                .operator: world.ops, .auditor: try await bus.auditor("audit01"),
            ]
            let consumer = try #require(clients[.consumer])
            try await world.push([EnvelopeBuilder.upsert(Security.record(1))])
            let delivery = try await Exchange.activeSubscription(consumer, fields: ["name"], permissions: ["pull", "query", "verify"])
            let managed = try await Exchange.activeSubscription(consumer, fields: ["name"])
            let targets = Targets(delivery: delivery, managed: managed, key: Exchange.citizenID(1))
            let rules = Self.rules(targets)

            // The table covers exactly the registered routes, and each is in the served OpenAPI document.
            let env = BusEnvironment(
                configuration: ServerConfiguration(), store: bus.store, clock: SystemClock(),
                pki: PublishedPKI(ca: bus.pki.ca, busSigningCertificatePEM: bus.pki.busSigning.certificatePEM),
                signer: try BusSigner(certificatePEM: bus.pki.busSigning.certificatePEM, privateKeyPEM: bus.pki.busSigning.privateKeyPEM),
                logger: Logger(label: "test"))
            let registered = Set(BusApplication.makeRouter(env).1.routes.map { "\($0.method.rawValue) \($0.path)" })
            let tabled = Set(rules.map { "\($0.method.rawValue) \($0.template)" })
            #expect(rules.count == tabled.count, "a route has two rows")
            #expect(registered.subtracting(tabled).sorted() == [], "routes without an authorization rule")
            #expect(tabled.subtracting(registered).sorted() == [], "rules for routes the bus does not serve")
            let openapi = try #require(try await world.ops.get("/v1/openapi.json").json?["paths"]?.objectValue)
            var documented: Set<String> = []
            for (path, item) in openapi {
                for method in (item.objectValue ?? [:]).keys where ["get", "post", "put", "delete", "patch"].contains(method) {
                    documented.insert("\(method.uppercased()) \(path)")
                }
            }
            #expect(documented == registered, "the OpenAPI document and the served routes differ")

            var mismatches: [String] = []
            for rule in rules {
                for role in Role.allCases {
                    let client = try #require(clients[role])
                    let reply = try await client.request(rule.method, rule.path, body: rule.body, contentType: rule.contentType)
                    #expect(reply.status != 401 && reply.status != 429 && reply.status < 500, "\(role) \(rule.method) \(rule.path): \(reply.status) \(reply.text.prefix(200))")
                    let allowed = !Self.refused(reply)
                    if allowed != rule.allowed.contains(role) {
                        mismatches.append("\(role.rawValue) \(rule.method) \(rule.path): expected \(rule.allowed.contains(role) ? "allow" : "deny"), got \(reply.status) \(reply.problemCode ?? String(reply.text.prefix(80)))")
                    }
                }
            }
            #expect(mismatches == [], "\(mismatches.joined(separator: "\n"))")
        }
    }
}
