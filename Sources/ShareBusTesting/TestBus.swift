public import AsyncHTTPClient
public import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import NIOSSL
public import ShareBusCore
public import ShareBusCrypto
public import ShareBusHTTP
public import ShareBusStore

/// A real bus for integration tests: a SQLite file in a fresh temporary folder, the real
/// application on an ephemeral port with real mutual TLS, and HTTPS clients holding certificates.
public struct TestBus: Sendable {
    public let pki: TestPKI
    public let store: SQLiteStore
    public let clock: any BusClock
    public let directory: String
    public let port: Int
    /// The plain-HTTP local listener: `/metrics`, `/healthz`, `/readyz` and the dashboard.
    public let localPort: Int

    public var baseURL: String { "https://localhost:\(port)" }
    public var localURL: String { "http://127.0.0.1:\(localPort)" }

    /// Starts a bus, runs `body`, and stops the bus and removes its folder whatever happens.
    public static func run<T: Sendable>(
        clock: any BusClock = SystemClock(), _ body: @Sendable (TestBus) async throws -> T
    ) async throws -> T {
        let pki = try TestPKI()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sharebus-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // As `serve` runs it: identities, definitions and subscriptions cached.
        let store = try SQLiteStore(directory: directory, cachesReads: true)
        try await TestPKI.record(pki.server, kind: .server, in: store)
        try await TestPKI.record(pki.busSigning, kind: .busSigning, in: store)
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.dataDirectory = directory
        configuration.localPort = 0
        configuration.dashboardOnLocalListener = true
        var logger = Logger(label: "sharebus.test")
        // Cancelling the server at the end of a test makes the framework log at error level.
        logger.logLevel = .critical
        let env = BusEnvironment(
            configuration: configuration, store: store, clock: clock,
            pki: PublishedPKI(ca: pki.ca, busSigningCertificatePEM: pki.busSigning.certificatePEM),
            signer: try BusSigner(certificatePEM: pki.busSigning.certificatePEM, privateKeyPEM: pki.busSigning.privateKeyPEM), logger: logger)
        let material = BusTLSMaterial(
            caCertificatePEM: pki.ca.certificatePEM, serverCertificatePEM: pki.server.certificatePEM,
            serverKeyPEM: pki.server.privateKeyPEM)
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let (localStream, localContinuation) = AsyncStream.makeStream(of: Int.self)
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
            var iterator = portStream.makeAsyncIterator()
            guard let port = await iterator.next() else { throw ShareBusError(.internalError, "test bus did not start") }
            var localIterator = localStream.makeAsyncIterator()
            guard let localPort = await localIterator.next() else { throw ShareBusError(.internalError, "test bus local listener did not start") }
            let bus = TestBus(pki: pki, store: store, clock: clock, directory: directory, port: port, localPort: localPort)
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

    /// Registers a department with a client certificate and returns a client that presents it.
    public func department(_ department: Department) async throws -> TestClient {
        try await store.createDepartment(department, audit: AuditEvent(at: Date(), actor: "system:test", action: "department.create", target: department.id))
        let credential = try pki.department(department.id, name: department.name)
        try await TestPKI.record(credential, in: store)
        return try TestClient(bus: self, credential: credential)
    }

    public func `operator`(_ id: String) async throws -> TestClient {
        let credential = try pki.operator(id)
        try await TestPKI.record(credential, in: store)
        return try TestClient(bus: self, credential: credential)
    }
}
