import Foundation
import NIOConcurrencyHelpers
public import Prometheus
import ShareBusDelivery

/// One subscription's queue as the metrics show it.
struct QueueSample: Sendable, Hashable {
    var subscription: String
    var consumer: String
    var resource: String
    var mode: String
    var depth: Int64
    var oldestUnackedAge: Double
    var deadLetters: Int64
    var paused: Bool

    var labels: [(String, String)] {
        [("subscription", subscription), ("consumer", consumer), ("resource", resource), ("mode", mode)]
    }
}

/// Renders a bus's registry in Prometheus text form, first setting the per-subscription queue
/// gauges from the queue view read at scrape time (so they are never staler than the scrape).
///
/// A subscription that left the view (or changed its labels) has its gauges unregistered, so
/// Prometheus sees the series end instead of a frozen last value.
final class MetricsExporter: Sendable {
    let registry: PrometheusCollectorRegistry
    private struct Series: Sendable {
        var labels: [String]
        var gauges: [Gauge]
    }
    private let series = NIOLockedValueBox<[String: Series]>([:])

    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// The exposition text, with the queue gauges set from `queues` (nil: leave them as they are,
    /// e.g. when the queue view could not be read).
    func render(queues: [QueueSample]?) -> String {
        if let queues { update(queues) }
        return registry.emitToString()
    }

    private func update(_ queues: [QueueSample]) {
        series.withLockedValue { known in
            var seen = Set<String>()
            for queue in queues {
                seen.insert(queue.subscription)
                let labelValues = queue.labels.map(\.1)
                if let existing = known[queue.subscription], existing.labels != labelValues {
                    unregister(existing)
                    known[queue.subscription] = nil
                }
                let gauges =
                    known[queue.subscription]?.gauges
                    ?? [BusMetrics.Name.queueDepth, .queueOldestUnackedAge, .queueDeadLetters, .queuePaused].map {
                        registry.makeGauge(name: $0.rawValue, labels: queue.labels, help: $0.help)
                    }
                known[queue.subscription] = Series(labels: labelValues, gauges: gauges)
                gauges[0].set(to: Double(queue.depth))
                gauges[1].set(to: queue.oldestUnackedAge)
                gauges[2].set(to: Double(queue.deadLetters))
                gauges[3].set(to: queue.paused ? 1 : 0)
            }
            for (id, gone) in known where !seen.contains(id) {
                unregister(gone)
                known[id] = nil
            }
        }
    }

    private func unregister(_ series: Series) {
        for gauge in series.gauges { registry.unregisterGauge(gauge) }
    }
}
