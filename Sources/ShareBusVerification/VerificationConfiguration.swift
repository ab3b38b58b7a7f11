/// How once-only verification is throttled and bounded. Built once at start-up and passed down.
public struct VerificationConfiguration: Sendable {
    /// Requests a second each consumer department may make to the verification routes, on average.
    /// Default 20.
    public var consumerRatePerSecond: Double = 20
    /// Requests a consumer may make at once before the average rate applies. Default 40.
    public var consumerBurst: Double = 40
    /// Requests a minute a consumer may make about one key (a holder, a record key, a certificate
    /// number), on average: the limit that makes guessing a stored value by trial slow. Default 5.
    public var keyRatePerMinute: Double = 5
    /// Requests about one key a consumer may make at once. Default 10.
    public var keyBurst: Double = 10
    /// Longest `purpose`, in characters. Default 500.
    public var maxPurposeLength: Int = 500
    /// Most claims one verification may carry. Default 64.
    public var maxClaims: Int = 64
    /// Largest request body, in bytes. Default 64 KiB.
    public var maxBodySize: Int = 64 * 1024
    /// Most records listed per resource for one holder. Default 1000.
    public var maxMaterialsPerResource: Int = 1000
    /// Most key buckets kept before full (idle) ones are dropped. Default 100 000.
    public var maxTrackedKeys: Int = 100_000

    public init() {}
}
