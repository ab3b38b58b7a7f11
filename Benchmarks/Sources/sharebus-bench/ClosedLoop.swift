import Foundation

/// Runs `workers` closed-loop workers: each sends one request, waits for its answer, sends the next.
///
/// Bounded twice: by time (`warmup + duration`) and, when given, by a total count of items (records)
/// that the workers share. Only requests that start after the warm-up and finish before the end count.
struct ClosedLoop {
    let workers: Int
    let warmup: Duration
    let duration: Duration
    /// Stop once this many items have been sent (count-bounded phases, e.g. the backlog); each request
    /// reserves `itemsPerRequest` of them before it is sent, so the total is not overshot.
    var totalItems: Int? = nil
    var itemsPerRequest = 1

    struct Outcome {
        var latencies = Latencies()
        var requests = 0
        var items = 0
        var errors = 0
        var firstErrors: [String] = []
        var seconds = 0.0

        mutating func merge(_ other: Outcome) {
            latencies.add(other.latencies)
            requests += other.requests
            items += other.items
            errors += other.errors
            firstErrors += other.firstErrors.prefix(max(0, 5 - firstErrors.count))
        }
    }

    /// `step(worker, iteration)` performs one request and returns how many items it carried.
    func run(_ step: @escaping @Sendable (Int, Int) async throws -> Int) async -> Outcome {
        let start = nowNanos()
        let measureFrom = start + UInt64(warmup.components.seconds) * 1_000_000_000 + UInt64(warmup.components.attoseconds / 1_000_000_000)
        let end = measureFrom + UInt64(duration.components.seconds) * 1_000_000_000 + UInt64(duration.components.attoseconds / 1_000_000_000)
        let sent = Counter()
        let total = totalItems
        let itemsPerRequest = self.itemsPerRequest
        var outcome = await withTaskGroup(of: Outcome.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var mine = Outcome()
                    var iteration = 0
                    // Bounded by time; the iteration cap is a second guard.
                    while iteration < 100_000_000 {
                        let t0 = nowNanos()
                        if t0 >= end { break }
                        if let total, sent.add(itemsPerRequest) > total { break }
                        do {
                            let items = try await step(worker, iteration)
                            let t1 = nowNanos()
                            if t0 >= measureFrom && t1 <= end {
                                mine.latencies.record(nanos: t1 - t0)
                                mine.requests += 1
                                mine.items += items
                            } else if total != nil {
                                // A count-bounded phase counts every item, warm-up or not.
                                mine.items += items
                                mine.requests += 1
                                mine.latencies.record(nanos: t1 - t0)
                            }
                        } catch {
                            mine.errors += 1
                            if mine.firstErrors.count < 3 { mine.firstErrors.append("\(error)") }
                            // A failing bus is not hammered in a tight loop.
                            try? await Task.sleep(for: .milliseconds(50))
                        }
                        iteration += 1
                    }
                    return mine
                }
            }
            var all = Outcome()
            for await one in group { all.merge(one) }
            return all
        }
        let finished = nowNanos()
        if total != nil {
            outcome.seconds = Double(finished - start) / 1e9
        } else {
            outcome.seconds = Double(min(finished, end) - measureFrom) / 1e9
        }
        return outcome
    }
}

extension ClosedLoop.Outcome {
    func json(itemName: String) -> [String: Any] {
        var result: [String: Any] = [
            "requests": requests, itemName: items, "errors": errors, "seconds": round1(seconds),
            "requests_per_s": round1(Double(requests) / max(seconds, 0.001)),
            "\(itemName)_per_s": round1(Double(items) / max(seconds, 0.001)),
            "latency_us": latencies.summary,
        ]
        if !firstErrors.isEmpty { result["first_errors"] = firstErrors }
        return result
    }
}
