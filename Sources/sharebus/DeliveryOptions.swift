import ArgumentParser
import Foundation
import ShareBusDelivery
import ShareBusStore

/// `serve`'s push delivery flags; each default is `DeliveryConfiguration`'s.
struct DeliveryOptions: ParsableArguments {
    @Option(help: "Attempts at a pushed batch, the first included, before it goes to the dead-letter queue.")
    var pushMaxAttempts: Int = DeliveryConfiguration().maxAttempts
    @Option(help: "Seconds after its first attempt when a failing batch goes to the dead-letter queue.")
    var pushMaxAge: Int = Int(DeliveryConfiguration().maxAge)
    @Option(help: "Most push deliveries in flight at once, over all subscriptions.")
    var pushConcurrency: Int = DeliveryConfiguration().concurrency
    @Option(help: "Most connections open to one webhook host.")
    var pushConnectionsPerHost: Int = DeliveryConfiguration().maxConnectionsPerHost
    @Option(
        name: .customLong("webhook-allow"),
        help:
            "A host name (.suffix for its subdomains), IP address or CIDR block that webhooks may use although it is private, loopback or link-local. Repeatable; env SHAREBUS_WEBHOOK_ALLOW (comma-separated) adds more."
    )
    var webhookAllow: [String] = []
    @Option(name: .customLong("webhook-ca"), help: "A PEM file of extra root certificates for webhook servers. Repeatable.")
    var webhookCA: [String] = []
    @Flag(inversion: .prefixedNo, help: "Trust the system's root certificates for webhook servers, besides the platform CA.")
    var webhookSystemRoots = true

    /// The configuration these flags describe; `--dev` also allows localhost, 127.0.0.1 and ::1.
    func configuration(dev: Bool) throws -> DeliveryConfiguration {
        var configuration = DeliveryConfiguration()
        guard pushMaxAttempts >= 1, pushMaxAge >= 1, pushConcurrency >= 1, pushConnectionsPerHost >= 1 else {
            throw CLIError("--push-max-attempts, --push-max-age, --push-concurrency and --push-connections-per-host must be at least 1")
        }
        configuration.maxAttempts = pushMaxAttempts
        configuration.maxAge = TimeInterval(pushMaxAge)
        configuration.concurrency = pushConcurrency
        configuration.maxConnectionsPerHost = pushConnectionsPerHost
        let environment = ProcessInfo.processInfo.environment["SHAREBUS_WEBHOOK_ALLOW"]?.split(separator: ",").map(String.init) ?? []
        var allow = (webhookAllow + environment).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for entry in allow where !WebhookURLPolicy.isValidAllowListEntry(entry) {
            throw CLIError("webhook allow-list entry \(entry) is not a host name, .suffix, IP address or CIDR block")
        }
        if dev { allow += ["localhost", "127.0.0.1", "::1"] }
        configuration.webhookAllowList = allow
        configuration.extraTrustRootsPEM = try webhookCA.map(readText)
        configuration.trustSystemRoots = webhookSystemRoots
        return configuration
    }
}

extension PKIDirectory {
    var busClientCertificate: String { path("bus/client.pem") }
    var busClientKey: String { path("bus/client-key.pem") }

    /// The bus's client credential for push delivery; issued (with the CA key `serve` already
    /// holds) when a platform made before push delivery has none.
    func pushCredential(store: any ShareBusStore) async throws -> PushCredential {
        let manager = FileManager.default
        if !manager.fileExists(atPath: busClientCertificate) || !manager.fileExists(atPath: busClientKey) {
            try await Provisioning(pki: self, store: store).issueBusClient(ca: try loadCA())
            FileHandle.standardOutput.write(Data("Issued the bus's push client certificate \(busClientCertificate)\n".utf8))
        }
        return PushCredential(
            certificatePEM: try read(busClientCertificate), privateKeyPEM: try read(busClientKey), platformCAPEM: try read(caCertificate))
    }
}
