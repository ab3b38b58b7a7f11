import Foundation
import Logging
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
        let pki = try TestPKI()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sharebus-security-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SQLiteStore(directory: folder)
        try await TestPKI.record(pki.server, kind: .server, in: store)
        try await TestPKI.record(pki.busSigning, kind: .busSigning, in: store)
        try await TestPKI.record(pki.busClient, in: store)
        var server = ServerConfiguration()
        server.port = 0
        server.dataDirectory = folder
        server.localPort = 0
        server.dashboardOnLocalListener = true
        configure(&server)
        var logger = Logger(label: "sharebus.security-test")
        logger.logLevel = .critical
        let env = BusEnvironment(
            configuration: server, store: store, clock: clock,
            pki: PublishedPKI(ca: pki.ca, busSigningCertificatePEM: pki.busSigning.certificatePEM),
            signer: try BusSigner(certificatePEM: pki.busSigning.certificatePEM, privateKeyPEM: pki.busSigning.privateKeyPEM), logger: logger,
            delivery: delivery,
            pushCredential: PushCredential(
                certificatePEM: pki.busClient.certificatePEM, privateKeyPEM: pki.busClient.privateKeyPEM, platformCAPEM: pki.ca.certificatePEM))
        let material = BusTLSMaterial(
            caCertificatePEM: pki.ca.certificatePEM, serverCertificatePEM: pki.server.certificatePEM, serverKeyPEM: pki.server.privateKeyPEM)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let (localPorts, localContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = try BusApplication.make(
            env, tls: material,
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            onLocalListenerRunning: { channel in
                localContinuation.yield(channel.localAddress?.port ?? 0)
                localContinuation.finish()
            })
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw ShareBusTestFailure("the security test bus did not start") }
            var localIterator = localPorts.makeAsyncIterator()
            guard let localPort = await localIterator.next() else { throw ShareBusTestFailure("the local listener did not start") }
            let bus = TestBus(pki: pki, store: store, clock: clock, directory: folder, port: port, localPort: localPort)
            do {
                let result = try await body(bus)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
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
