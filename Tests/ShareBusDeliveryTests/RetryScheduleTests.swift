import Foundation
import Testing

@testable import ShareBusDelivery

@Suite("Retry schedule")
struct RetryScheduleTests {
    static let schedule = RetrySchedule()

    @Test(
        "the ceiling starts at 1 s and doubles to 5 min",
        arguments: [(1, 1.0), (2, 2), (3, 4), (4, 8), (5, 16), (6, 32), (7, 64), (8, 128), (9, 256), (10, 300), (11, 300), (40, 300), (500, 300)])
    func ceiling(failures: Int, seconds: Double) {
        #expect(Self.schedule.ceiling(afterFailures: failures) == seconds)
    }

    @Test("jitter takes at most 20 % off and never adds", arguments: [0.0, 0.25, 0.5, 0.999_999])
    func jitter(random: Double) {
        for failures in 1...12 {
            let ceiling = Self.schedule.ceiling(afterFailures: failures)
            let delay = Self.schedule.delay(afterFailures: failures, random: random)
            #expect(delay <= ceiling)
            #expect(delay >= ceiling * 0.8)
            #expect(abs(delay - ceiling * (1 - 0.2 * random)) < 1e-9)
        }
    }

    @Test("two draws spread two subscriptions failing together")
    func spread() {
        #expect(Self.schedule.delay(afterFailures: 3, random: 0.1) != Self.schedule.delay(afterFailures: 3, random: 0.9))
    }

    @Test("a custom base and cap, as tests and operators set them")
    func custom() {
        let schedule = RetrySchedule(initial: 0.05, maximum: 0.2, jitter: 0)
        #expect([1, 2, 3, 4, 5].map { schedule.delay(afterFailures: $0, random: 0.7) } == [0.05, 0.1, 0.2, 0.2, 0.2])
    }

    @Test("a retry stored further ahead than the longest delay means the clock went back", arguments: [1, 3, 10, 40])
    func clockWentBack(failures: Int) {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let ceiling = Self.schedule.ceiling(afterFailures: failures)
        #expect(!Self.schedule.clockWentBack(due: now + ceiling, now: now, afterFailures: failures), "the longest delay is plausible")
        #expect(!Self.schedule.clockWentBack(due: now + ceiling * 0.8, now: now, afterFailures: failures), "so is any jittered one")
        #expect(!Self.schedule.clockWentBack(due: now - 5, now: now, afterFailures: failures), "overdue is not backwards")
        #expect(Self.schedule.clockWentBack(due: now + ceiling + 0.01, now: now, afterFailures: failures))
        #expect(Self.schedule.clockWentBack(due: now + 86_400, now: now, afterFailures: failures))
    }
}
