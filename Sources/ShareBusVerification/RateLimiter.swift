import Foundation
public import ShareBusCore
import Synchronization

/// Throttles verification per consumer and per key, so that guessing a stored value by trial,
/// or walking through holders, is slow (`VerificationConfiguration` holds the rates).
///
/// A request is admitted only when both its buckets hold a token, and then takes one from each: a
/// refused request costs nothing. Keys are kept as keyed digests, never as ids.
public final class RateLimiter: Sendable {
    public enum Scope: String, Sendable { case consumer, key }

    public enum Admission: Sendable, Equatable {
        case admitted
        /// Refused; try again after `retryAfter` whole seconds (at least 1).
        case limited(scope: Scope, retryAfter: Int)
    }

    struct State {
        var consumers: [String: TokenBucket] = [:]
        var keys: [String: TokenBucket] = [:]
    }

    let configuration: VerificationConfiguration
    let clock: any BusClock
    private let state = Mutex(State())

    public init(configuration: VerificationConfiguration, clock: any BusClock) {
        self.configuration = configuration
        self.clock = clock
    }

    /// Admits one request of `consumer` about `key` (a digest), or says how long to wait.
    public func admit(consumer: String, key: String) -> Admission {
        let now = clock.now()
        let configuration = configuration
        return state.withLock { state in
            var consumerBucket =
                state.consumers[consumer]
                ?? TokenBucket(capacity: configuration.consumerBurst, ratePerSecond: configuration.consumerRatePerSecond, now: now)
            let keyID = consumer + "\u{0}" + key
            var keyBucket =
                state.keys[keyID]
                ?? TokenBucket(capacity: configuration.keyBurst, ratePerSecond: configuration.keyRatePerMinute / 60, now: now)
            consumerBucket.refill(now: now)
            keyBucket.refill(now: now)
            if consumerBucket.wait > 0 {
                return .limited(scope: .consumer, retryAfter: Self.seconds(consumerBucket.wait))
            }
            if keyBucket.wait > 0 {
                return .limited(scope: .key, retryAfter: Self.seconds(keyBucket.wait))
            }
            consumerBucket.take()
            keyBucket.take()
            state.consumers[consumer] = consumerBucket
            state.keys[keyID] = keyBucket
            if state.keys.count > configuration.maxTrackedKeys {
                // A full bucket is the same as none: dropping those forgets nothing.
                state.keys = state.keys.filter { !$0.value.isFull(now: now) }
            }
            return .admitted
        }
    }

    /// The number of key buckets held (for tests of the memory bound).
    var trackedKeys: Int { state.withLock { $0.keys.count } }

    static func seconds(_ wait: TimeInterval) -> Int {
        guard wait.isFinite else { return 86_400 }
        return max(1, Int(wait.rounded(.up)))
    }
}

/// A request refused by the rate limiter: answered 429 `rate-limited` with `Retry-After`.
public struct RateLimitExceeded: Error, Sendable {
    public let retryAfter: Int
    public let problem: ShareBusError

    init(scope: RateLimiter.Scope, retryAfter: Int) {
        self.retryAfter = retryAfter
        let what = scope == .consumer ? "this department's verification requests" : "verification requests about this key"
        problem = ShareBusError(.rateLimited, "too many \(what); retry after \(retryAfter) s")
    }
}
