public import CoreMetrics
public import Prometheus
import ShareBusDelivery

/// A swift-metrics factory over one bus's own `PrometheusCollectorRegistry`.
///
/// Like swift-prometheus's `PrometheusMetricsFactory`, but it writes the `# HELP` lines and the
/// histogram buckets of `BusMetrics.Name`, so `/metrics` explains itself. Each bus makes its own
/// registry: nothing goes through the process-global `MetricsSystem`, and many buses in one test
/// process never share a counter.
public struct BusMetricsFactory: MetricsFactory {
    public let registry: PrometheusCollectorRegistry

    static let defaultBuckets: [Duration] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map {
        .milliseconds(Int64($0 * 1000))
    }
    static let defaultValueBuckets: [Double] = [1, 5, 10, 50, 100, 500, 1000, 5000, 10000]

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    static func help(_ label: String) -> String { BusMetrics.Name(rawValue: label)?.help ?? "" }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(name: label, labels: dimensions, help: Self.help(label))
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(name: label, labels: dimensions, help: Self.help(label))
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(name: label, labels: dimensions, help: Self.help(label)) }
        return registry.makeValueHistogram(name: label, labels: dimensions, buckets: Self.defaultValueBuckets, help: Self.help(label))
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(name: label, labels: dimensions, help: Self.help(label))
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let buckets = BusMetrics.Name(rawValue: label)?.buckets ?? Self.defaultBuckets
        return registry.makeDurationHistogram(name: label, labels: dimensions, buckets: buckets, help: Self.help(label))
    }

    public func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
        if let histogram = handler as? ValueHistogram { registry.unregisterValueHistogram(histogram) }
    }

    public func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    public func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
