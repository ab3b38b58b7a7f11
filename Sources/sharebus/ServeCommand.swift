import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ShareBusCore
import ShareBusCrypto
import ShareBusHTTP
import ShareBusPostgres
import ShareBusStore
import ShareBusVerification

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the bus over HTTPS with mutual TLS.")

    @OptionGroup var state: StateOptions
    @Option(help: "Address to bind (env SHAREBUS_HOST).")
    var host: String = ProcessInfo.processInfo.environment["SHAREBUS_HOST"] ?? "127.0.0.1"
    @Option(help: "HTTPS port (env SHAREBUS_PORT).")
    var port: Int = Int(ProcessInfo.processInfo.environment["SHAREBUS_PORT"] ?? "") ?? 8443
    @Flag(help: "Development set-up: create the PKI if there is none, register the departments of the catalog folder, issue their certificates and import the catalog.")
    var dev = false
    @Option(help: "Catalog folder used by --dev.") var catalogs: String = "Catalogs"
    @Option(help: "A file of extra holidays and adjusted working days for approval deadlines (lines like `2028-01-01 holiday 元旦`).")
    var holidays: String?
    @Option(help: "Port of the plain-HTTP local listener for Prometheus and probes: /metrics, /healthz, /readyz; 0 turns it off (env SHAREBUS_METRICS_PORT).")
    var metricsPort: Int = Int(ProcessInfo.processInfo.environment["SHAREBUS_METRICS_PORT"] ?? "") ?? 9464
    @Option(help: "Address of the local listener (env SHAREBUS_METRICS_HOST). Anyone who can reach it reads the metrics.")
    var metricsHost: String = ProcessInfo.processInfo.environment["SHAREBUS_METRICS_HOST"] ?? "127.0.0.1"
    @Flag(
        inversion: .prefixedNo,
        help: "Serve the operator dashboard /ui/ on the local listener too, to anyone on this host, acting as operator `localhost` (default: on with --dev, else off; needs a loopback --metrics-host).")
    var uiLocalhost: Bool?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env LOG_LEVEL).")
    var logLevel: String = ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "info"
    @Option(help: "Requests a second each caller (client certificate identity) may make on the HTTPS routes; 0 turns the limit off (env SHAREBUS_RATE_LIMIT).")
    var rateLimit: Double = Double(ProcessInfo.processInfo.environment["SHAREBUS_RATE_LIMIT"] ?? "") ?? RateLimitConfiguration().ratePerSecond
    @Option(help: "Requests a caller may make at once after a quiet spell (env SHAREBUS_RATE_BURST).")
    var rateBurst: Double = Double(ProcessInfo.processInfo.environment["SHAREBUS_RATE_BURST"] ?? "") ?? RateLimitConfiguration().burst
    @OptionGroup(title: "Push delivery") var delivery: DeliveryOptions
    @OptionGroup(title: "Limits") var limits: LimitOptions
    @OptionGroup(title: "Verification throttle") var verification: VerificationOptions

    func holidayCalendar() throws -> WorkingDayCalendar {
        guard let holidays else { return .china }
        return try WorkingDayCalendar.china.merging(try state.pki.read(holidays))
    }

    func run() async throws {
        var logger = Logger(label: "sharebus")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let store = try state.openStore(cachesReads: true)
        if dev { try await DevelopmentSetup(pki: state.pki, store: store, catalogs: catalogs).run() }
        let pki = state.pki
        let material = BusTLSMaterial(
            caCertificatePEM: try pki.read(pki.caCertificate), serverCertificatePEM: try pki.read(pki.serverCertificate),
            serverKeyPEM: try pki.read(pki.serverKey))
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.dataDirectory = state.data
        configuration.certsDirectory = state.certs
        configuration.localPort = metricsPort > 0 ? metricsPort : nil
        configuration.localHost = metricsHost
        configuration.dashboardOnLocalListener = metricsPort > 0 && (uiLocalhost ?? dev)
        configuration.rateLimits = RateLimitConfiguration(ratePerSecond: max(0, rateLimit), burst: max(1, rateBurst))
        try limits.apply(to: &configuration)
        let env = BusEnvironment(
            configuration: configuration, store: store, clock: SystemClock(),
            pki: PublishedPKI(ca: try pki.loadCA(), busSigningCertificatePEM: try pki.read(pki.busCertificate)),
            signer: try BusSigner(certificatePEM: try pki.read(pki.busCertificate), privateKeyPEM: try pki.read(pki.busKey)),
            calendar: try holidayCalendar(), logger: logger, subjectKey: try Self.readSubjectKey(pki),
            verificationConfiguration: try verification.configuration(),
            delivery: try delivery.configuration(dev: dev), pushCredential: try await pki.pushCredential(store: store),
            dataKeys: try await Self.loadDataKeys(pki, store: store, dev: dev),
            logChanges: BusStoreLocation.logChanges(of: store))
        let (host, fallbackPort, dev) = (host, port, dev)
        let local = configuration.localPort.map { LocalListenerLines(host: metricsHost, port: $0, dashboard: configuration.dashboardOnLocalListener) }
        let app = try BusApplication.make(
            env, tls: material,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? fallbackPort
                FileHandle.standardOutput.write(Data((NextSteps(pki: pki, host: host, port: port, dev: dev, local: local).text + "\n").utf8))
            })
        try await app.runService()
    }
}

extension ServeCommand {
    /// The key of the audit log's data-subject digests. Never made here: a new key would file new
    /// entries under digests no earlier entry has, so a lost key must be restored, not replaced.
    static func readSubjectKey(_ pki: PKIDirectory) throws -> SubjectKey {
        let path = pki.path(ShareBusVerification.subjectKeyFile)
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError(
                "no subject key at \(path): restore it from the backup of \(pki.root); a new platform gets one from `sharebus pki init` or `sharebus serve --dev`")
        }
        do {
            return try SubjectKey.read(atPath: path)
        } catch let error as ShareBusError {
            throw CLIError(error.detail)
        }
    }
}

/// What a person does next, printed once the listener is up.
struct NextSteps {
    let pki: PKIDirectory
    let host: String
    let port: Int
    let dev: Bool
    var local: LocalListenerLines? = nil

    var text: String {
        let shown = host == "127.0.0.1" || host == "0.0.0.0" ? "localhost" : host
        let departments = (try? FileManager.default.contentsOfDirectory(atPath: pki.path("departments")).sorted()) ?? []
        let operators = (try? FileManager.default.contentsOfDirectory(atPath: pki.path("operators")).sorted()) ?? []
        let example = departments.first(where: { $0.hasSuffix(".tax") }) ?? departments.first
        var lines = ["sharebus is serving https://\(shown):\(port) (mutual TLS; CA certificate \(pki.caCertificate))"]
        if !departments.isEmpty {
            lines.append("Department credentials (cert.pem + key.pem): \(pki.path("departments"))/{\(departments.joined(separator: ","))}/")
        }
        if !operators.isEmpty {
            lines.append("Operator credentials: \(pki.path("operators"))/{\(operators.joined(separator: ","))}/")
        }
        let auditors = (try? FileManager.default.contentsOfDirectory(atPath: pki.path("auditors")).sorted()) ?? []
        if !auditors.isEmpty {
            lines.append("Auditor credentials (audit log only): \(pki.path("auditors"))/{\(auditors.joined(separator: ","))}/")
        }
        if let example {
            let dir = pki.departmentDirectory(example)
            lines.append("Try:")
            lines.append("  curl --cert \(dir)/cert.pem --key \(dir)/key.pem --cacert \(pki.caCertificate) https://\(shown):\(port)/v1/resources")
        }
        if let local { lines += local.lines }
        lines.append("Stop with Ctrl-C. Operations guide: docs/operations.md")
        return lines.joined(separator: "\n")
    }
}

/// `serve --dev`: everything `make run` needs on a fresh clone, and nothing on the second run.
struct DevelopmentSetup {
    let pki: PKIDirectory
    let store: any ShareBusStore
    let catalogs: String

    func run() async throws {
        let provisioning = Provisioning(pki: pki, store: store)
        if !pki.exists {
            _ = try await provisioning.initialisePKI(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1", "::1"])
            say("Created a development PKI in \(pki.root)/")
        }
        let ca = try pki.loadCA()
        _ = try SubjectKey.loadOrCreate(atPath: pki.path(ShareBusVerification.subjectKeyFile))
        if !FileManager.default.fileExists(atPath: pki.operatorDirectory("ops") + "/cert.pem") {
            try await provisioning.addOperator("ops", ca: ca)
        }
        if !FileManager.default.fileExists(atPath: pki.auditorDirectory("audit") + "/cert.pem") {
            try await provisioning.addAuditor("audit", ca: ca)
        }
        let folder = CatalogFolder(directory: catalogs)
        for department in try folder.departments() {
            if try await store.department(id: department.id) == nil {
                try await provisioning.addDepartment(department, ca: ca)
            } else if !FileManager.default.fileExists(atPath: pki.departmentDirectory(department.id) + "/cert.pem") {
                // Certs/ was replaced (a new CA): give the registered department a credential of the new CA.
                try await provisioning.issueDepartmentCertificate(department, ca: ca)
            }
        }
        let results = try await folder.importAll(into: store)
        let changed = results.filter { $0.1 != .unchanged }
        say("Catalog \(catalogs): \(results.count) resources, \(changed.count) imported or updated")
    }

    /// Written at once, like the banner: `print` to a pipe or file is block-buffered, and a server that
    /// keeps running would show these lines only when it exits, after the banner they belong before.
    private func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

/// The banner's lines about the plain-HTTP local listener.
struct LocalListenerLines {
    let host: String
    let port: Int
    let dashboard: Bool

    var lines: [String] {
        let shown = host.contains(":") ? "[\(host)]" : host
        var lines = ["Metrics and health (plain HTTP, no certificate): http://\(shown):\(port)/metrics, /healthz, /readyz"]
        if dashboard { lines.append("Operator dashboard for this host (no certificate): http://\(shown):\(port)/ui/") }
        return lines
    }
}
