import Foundation
public import ShareBusCore
import ShareBusVerification
import Synchronization

/// One token bucket per caller (`RateLimitConfiguration`). A refused request costs nothing.
public final class PrincipalRateLimiter: Sendable {
    public enum Admission: Sendable, Equatable {
        case admitted
        /// Refused; try again after `retryAfter` whole seconds (at least 1).
        case limited(retryAfter: Int)
    }

    let configuration: RateLimitConfiguration
    let clock: any BusClock
    private let buckets = Mutex([String: TokenBucket]())

    public init(configuration: RateLimitConfiguration, clock: any BusClock) {
        self.configuration = configuration
        self.clock = clock
    }

    /// Admits one request of `caller`, or says how long to wait.
    public func admit(_ caller: String) -> Admission {
        guard configuration.isEnabled else { return .admitted }
        let now = clock.now()
        let configuration = configuration
        return buckets.withLock { buckets in
            var bucket = buckets[caller] ?? TokenBucket(capacity: configuration.burst, ratePerSecond: configuration.ratePerSecond, now: now)
            bucket.refill(now: now)
            let wait = bucket.wait
            guard wait == 0 else { return .limited(retryAfter: max(1, Int(wait.rounded(.up)))) }
            bucket.take()
            buckets[caller] = bucket
            if buckets.count > configuration.maxTrackedCallers {
                // A full bucket is the same as none: dropping those forgets nothing.
                buckets = buckets.filter { !$0.value.isFull(now: now) }
            }
            return .admitted
        }
    }

    /// The number of buckets held (for tests of the memory bound).
    var trackedCallers: Int { buckets.withLock { $0.count } }
}
