public import Foundation

/// How push delivery behaves. Built once from `serve`'s flags and passed down; every field has a
/// default that suits a production bus.
public struct DeliveryConfiguration: Sendable {
    /// Attempts at one batch, the first included, before it goes to the dead-letter queue. Default 10.
    public var maxAttempts: Int = 10
    /// Age of a batch, from its first attempt, after which its next failure dead-letters it
    /// whatever the attempt count. Default 24 hours.
    public var maxAge: TimeInterval = 24 * 3600
    /// The retry delays: 1 s doubling to 5 min, less up to 20 % at random.
    public var retry = RetrySchedule()
    /// Most deliveries in flight at once, over all subscriptions. Default 16.
    public var concurrency: Int = 16
    /// Most connections the push client keeps open to one webhook host. Default 4.
    public var maxConnectionsPerHost: Int = 4
    /// Most messages in one pushed batch. Default 100.
    public var batchSize: Int = 100
    /// Time allowed to open a connection (TCP and TLS). Default 10 s.
    public var connectTimeout: TimeInterval = 10
    /// Time allowed for a whole attempt, from connecting to the status line. Default 30 s.
    public var requestTimeout: TimeInterval = 30
    /// Hosts, IP addresses and CIDR blocks a webhook may use although they are loopback,
    /// link-local, private, unspecified or multicast. A host entry (`hooks.corp.internal`)
    /// permits that name whatever it resolves to; `.corp.internal` permits its subdomains; an
    /// address or block (`10.20.0.0/16`, `fd00::/8`) permits those addresses. Default empty.
    public var webhookAllowList: [String] = []
    /// Trust the system's root certificates for webhook servers, besides the platform CA. Default true.
    public var trustSystemRoots: Bool = true
    /// More root certificates (PEM) to trust for webhook servers. Default none.
    public var extraTrustRootsPEM: [String] = []
    /// How often the dispatcher looks for work nothing woke it for (a new, approved or resumed
    /// subscription, a retry coming due). New envelopes wake it at once. Default 1 s.
    public var scanInterval: Duration = .seconds(1)

    public init() {}

    /// The webhook policy this configuration describes.
    public var webhookPolicy: WebhookURLPolicy { WebhookURLPolicy(allowList: webhookAllowList) }
}
