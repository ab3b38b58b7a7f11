import Foundation
import ShareBusCore
import Testing

@testable import ShareBusVerification

@Suite("Token buckets and the rate limiter")
struct TokenBucketTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a bucket allows its burst at once, then one request per refill interval")
    func burstThenRate() {
        var bucket = TokenBucket(capacity: 3, ratePerSecond: 0.5, now: Self.start)
        for _ in 0..<3 {
            #expect(bucket.wait == 0)
            bucket.take()
        }
        #expect(bucket.wait == 2, "one token every 2 s")
        bucket.refill(now: Self.start + 1)
        #expect(bucket.wait == 1)
        bucket.refill(now: Self.start + 2)
        #expect(bucket.wait == 0)
        bucket.take()
        bucket.refill(now: Self.start + 1000)
        #expect(bucket.tokens == 3, "never beyond capacity")
        #expect(bucket.isFull(now: Self.start + 1000))
    }

    @Test("time going backwards earns nothing")
    func clockBackwards() {
        var bucket = TokenBucket(capacity: 1, ratePerSecond: 1, now: Self.start)
        bucket.take()
        bucket.refill(now: Self.start - 100)
        #expect(bucket.wait == 1)
    }

    @Test("the limiter throttles a consumer, and a key per consumer, and a refused request costs nothing")
    func limiter() {
        let clock = ManualClock(Self.start)
        var configuration = VerificationConfiguration()
        configuration.consumerBurst = 4
        configuration.consumerRatePerSecond = 1
        configuration.keyBurst = 2
        configuration.keyRatePerMinute = 6
        let limiter = RateLimiter(configuration: configuration, clock: clock)

        #expect(limiter.admit(consumer: "a", key: "k1") == .admitted)
        #expect(limiter.admit(consumer: "a", key: "k1") == .admitted)
        #expect(limiter.admit(consumer: "a", key: "k1") == .limited(scope: .key, retryAfter: 10), "6 a minute: one every 10 s")
        // Another department asking about the same key has its own bucket.
        #expect(limiter.admit(consumer: "b", key: "k1") == .admitted)
        #expect(limiter.admit(consumer: "a", key: "k2") == .admitted)
        #expect(limiter.admit(consumer: "a", key: "k3") == .admitted)
        #expect(limiter.admit(consumer: "a", key: "k4") == .limited(scope: .consumer, retryAfter: 1))
        clock.advance(by: 1)
        #expect(limiter.admit(consumer: "a", key: "k4") == .admitted, "the refused request took no token")
        clock.advance(by: 9)
        #expect(limiter.admit(consumer: "a", key: "k1") == .admitted)
    }

    @Test("idle key buckets are forgotten once there are too many")
    func memoryBound() {
        let clock = ManualClock(Self.start)
        var configuration = VerificationConfiguration()
        configuration.maxTrackedKeys = 10
        configuration.consumerBurst = 1000
        let limiter = RateLimiter(configuration: configuration, clock: clock)
        for n in 0..<10 { _ = limiter.admit(consumer: "a", key: "k\(n)") }
        clock.advance(by: 3600)
        _ = limiter.admit(consumer: "a", key: "new")
        #expect(limiter.trackedKeys <= 1)
    }
}
