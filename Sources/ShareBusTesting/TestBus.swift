public import AsyncHTTPClient
public import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import NIOSSL
public import ShareBusCore
public import ShareBusCrypto
public import ShareBusDelivery
public import ShareBusHTTP
public import ShareBusStore
import ShareBusPostgres

/// A real bus for integration tests: a SQLite file in a fresh temporary folder (or a fresh database
/// of the throwaway PostgreSQL cluster), the real application on an ephemeral port with real mutual
/// TLS, and HTTPS clients holding certificates.
public struct TestBus: Sendable {
    public let pki: TestPKI
    public let store: any ShareBusStore
    /// Which kind of store `store` is.
    public let storeKind: TestStore
    public let clock: any BusClock
    public let directory: String
    public let port: Int
    /// The plain-HTTP local listener: `/metrics`, `/healthz`, `/readyz` and the dashboard.
    public let localPort: Int

    public var baseURL: String { "https://localhost:\(port)" }
    public var localURL: String { "http://127.0.0.1:\(localPort)" }

    /// Starts a bus, runs `body`, and stops the bus whatever happens.
    /// - Parameters:
    ///   - store: SQLite in the folder, or a PostgreSQL database opened as `serve --store` opens it.
    ///   - pki: the platform PKI; a new one when nil.
    ///   - directory: the store's folder, kept afterwards (a second bus may start on it, as a
    ///     restarted one would, on the same SQLite file or PostgreSQL database); a fresh temporary
    ///     folder, removed afterwards, when nil.
    ///   - delivery: push delivery settings; when given, push delivery runs with the PKI's bus
    ///     client certificate. Off when nil.
    ///   - localListener: also start the plain-HTTP local listener, with the dashboard.
    ///   - dataKeys: the keyring that seals records; one for this bus only when nil.
    ///   - configure: last changes to the server configuration (limits).
    public static func run<T: Sendable>(
        store kind: TestStore = .sqlite, pki: TestPKI? = nil, directory: String? = nil, clock: any BusClock = SystemClock(),
        delivery: DeliveryConfiguration? = nil, localListener: Bool = true, dataKeys: DataKeyring? = nil,
        configure: @Sendable (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (TestBus) async throws -> T
    ) async throws -> T {
        let pki = try pki ?? TestPKI()
        let folder = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("sharebus-test-\(UUID().uuidString)").path
        defer { if directory == nil { try? FileManager.default.removeItem(atPath: folder) } }
        // As `serve` runs it: definitions and subscriptions cached (SQLite), log heads of every node
        // sharing the store announced (PostgreSQL).
        var storeLogger = Logger(label: "sharebus.store")
        storeLogger.logLevel = .critical
        let store = try await kind.location(in: folder).open(cachesReads: true, logger: storeLogger)
        do {
            let result = try await serve(kind, store, pki: pki, folder: folder, clock: clock, delivery: delivery, localListener: localListener,
                dataKeys: dataKeys, configure: configure, body)
            await (store as? PostgresStore)?.close()
            return result
        } catch {
            await (store as? PostgresStore)?.close()
            throw error
        }
    }

    private static func serve<T: Sendable>(
        _ kind: TestStore, _ store: any ShareBusStore, pki: TestPKI, folder: String, clock: any BusClock, delivery: DeliveryConfiguration?,
        localListener: Bool, dataKeys: DataKeyring?, configure: @Sendable (inout ServerConfiguration) -> Void,
        _ body: @Sendable (TestBus) async throws -> T
    ) async throws -> T {
        if try await store.certificate(serial: pki.server.certificate.serialHex) == nil {
            try await TestPKI.record(pki.server, kind: .server, in: store)
            try await TestPKI.record(pki.busSigning, kind: .busSigning, in: store)
            if delivery != nil { try await TestPKI.record(pki.busClient, in: store) }
        }
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.dataDirectory = folder
        if localListener {
            configuration.localPort = 0
            configuration.dashboardOnLocalListener = true
        }
        configure(&configuration)
        var logger = Logger(label: "sharebus.test")
        // Cancelling the server at the end of a test makes the framework log at error level.
        logger.logLevel = .critical
        let env = BusEnvironment(
            configuration: configuration, store: store, clock: clock,
            pki: PublishedPKI(ca: pki.ca, busSigningCertificatePEM: pki.busSigning.certificatePEM),
            signer: try BusSigner(certificatePEM: pki.busSigning.certificatePEM, privateKeyPEM: pki.busSigning.privateKeyPEM), logger: logger,
            delivery: delivery ?? DeliveryConfiguration(),
            pushCredential: delivery.map { _ in
                PushCredential(
                    certificatePEM: pki.busClient.certificatePEM, privateKeyPEM: pki.busClient.privateKeyPEM, platformCAPEM: pki.ca.certificatePEM)
            },
            dataKeys: dataKeys, logChanges: BusStoreLocation.logChanges(of: store))
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
            var localPort = 0
            if localListener {
                var localIterator = localStream.makeAsyncIterator()
                guard let bound = await localIterator.next() else { throw ShareBusError(.internalError, "test bus local listener did not start") }
                localPort = bound
            }
            let bus = TestBus(pki: pki, store: store, storeKind: kind, clock: clock, directory: folder, port: port, localPort: localPort)
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
