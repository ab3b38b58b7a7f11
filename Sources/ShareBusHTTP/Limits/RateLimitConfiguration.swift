/// The per-caller request budget of the HTTPS routes (`RateLimitMiddleware`).
///
/// Each caller (the SAN URI of its client certificate: `urn:sharebus:dept:<id>`,
/// `urn:sharebus:operator:<id>`, `urn:sharebus:auditor:<id>`) has one token bucket: `burst` requests
/// at once, refilled at `ratePerSecond`. A department holding several certificates shares one bucket,
/// so issuing more certificates buys no more requests. `POST /v1/verify` and
/// `POST /v1/certificates/verify` are throttled again, more tightly, by `VerificationConfiguration`.
public struct RateLimitConfiguration: Sendable, Hashable {
    /// Requests a caller earns per second. Default 500 (`serve --rate-limit`): more than one
    /// department system's steady pushes and pulls need; lower it towards the platform's measured
    /// capacity (docs/benchmarks.md) divided by the callers that must be served at once.
    public var ratePerSecond: Double = 500
    /// Requests a caller may make at once after a quiet spell. Default 1,000 (`serve --rate-burst`).
    public var burst: Double = 1000
    /// Callers whose buckets are kept before full (idle) ones are forgotten. Default 10,000: the bound
    /// on the limiter's memory, whatever the number of certificates.
    public var maxTrackedCallers: Int = 10_000

    /// A rate of 0 turns the limit off (`serve --rate-limit 0`).
    public var isEnabled: Bool { ratePerSecond > 0 }

    public init() {}

    public init(ratePerSecond: Double, burst: Double) {
        self.ratePerSecond = ratePerSecond
        self.burst = burst
    }
}
