import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusDelivery
import ShareBusHTTP
import ShareBusStore
import Testing

@testable import ShareBusTesting

/// A real bus for the security tests: mutual TLS on an ephemeral port, push delivery on (so dead
/// letters can be made), and a server configuration the test may change (rate limits).
enum SecurityBus {
    static func run<T: Sendable>(
        clock: any BusClock = SystemClock(), delivery: DeliveryConfiguration = PushBus.configuration(attempts: 1),
        configure: @Sendable (inout ServerConfiguration) -> Void = { _ in }, _ body: @Sendable (TestBus) async throws -> T
    ) async throws -> T {
        try await TestBus.run(clock: clock, delivery: delivery, configure: configure, body)
    }
}

extension TestBus {
    /// An auditor's client certificate (`urn:sharebus:auditor:<id>`), recorded as issued.
    func auditor(_ id: String) async throws -> TestClient {
        let credential = try pki.ca.issueP256(profile: .auditor(id: id), now: Date(), validityDays: 30)
        try await TestPKI.record(credential, in: store)
        return try TestClient(bus: self, credential: credential)
    }
}

/// The cast of the security tests: every kind of caller the bus knows.
enum Security {
    static let civil = Exchange.civil
    static let health = Exchange.health
    static let portal = TestDepartments.make("yc.portal", roles: [.portal, .consumer], number: 6)

    /// Values that appear only in fields nobody is granted: finding one anywhere a consumer,
    /// operator or auditor can read is a leak.
    static let secretAddress = "秘密地址-不应外泄-0001"
    static let secretBirthDate = "1977-07-07"
    /// A granted value: consumers may see it, operators and auditors must not.
    static let grantedName = "授权姓名-仅限订阅方"

    /// A record of person `n` whose ungranted fields hold the secret values.
    static func record(_ n: Int) -> [String: JSONValue] {
        [
            "idNumber": .string(Exchange.citizenID(n)), "name": .string("\(grantedName)\(n)"), "gender": .string("女"),
            "birthDate": .string(secretBirthDate), "address": .string(secretAddress),
        ]
    }

    /// Every secret that must not be in `text`, with the primary key for callers who may not see keys.
    static func leaks(in text: String, keys: [String] = [], includingGranted: Bool = false) -> [String] {
        var secrets = [secretAddress, secretBirthDate] + keys
        if includingGranted { secrets.append(grantedName) }
        return secrets.filter { text.contains($0) }
    }
}
