public import Foundation
public import Metrics
public import ShareBusCore

/// The bus's own metrics, recorded through a swift-metrics factory that the bus is given.
///
/// Never the process-global `MetricsSystem`: every bus (and every test bus in one process) holds
/// its own factory, so counters of one bus never move another's. The names and help texts are in
/// one table, `BusMetrics.Name`; the HTTP layer exports them in Prometheus text form.
public struct BusMetrics: Sendable {
    public let factory: any MetricsFactory

    /// How a delivery went out: a consumer pulled it, or the bus pushed it to the consumer's endpoint.
    public enum Mode: String, Sendable, CaseIterable {
        case pull, push
    }

    public init(factory: any MetricsFactory) {
        self.factory = factory
        // Known series start at 0, so `rate()` and `increase()` see the first event.
        counter(.envelopes, [("result", "accepted")]).increment(by: 0)
        counter(.operations, []).increment(by: 0)
        counter(.tlsHandshakeFailures, [("reason", "invalid")]).increment(by: 0)
        for mode in Mode.allCases {
            counter(.deliveryAttempts, [("mode", mode.rawValue)]).increment(by: 0)
            counter(.deliveryFailures, [("mode", mode.rawValue)]).increment(by: 0)
        }
    }

    /// Records nothing: for code paths built without a bus (unit tests of one service).
    public static let disabled = BusMetrics(factory: NOOPMetricsHandler.instance)

    // MARK: Envelopes

    /// A newly accepted envelope and its operations.
    public func envelopeAccepted(operations: Int) {
        counter(.envelopes, [("result", "accepted")]).increment()
        counter(.operations, []).increment(by: operations)
    }

    /// A resend of an envelope accepted before (answered with its original receipt).
    public func envelopeDuplicate() {
        counter(.envelopes, [("result", "duplicate")]).increment()
    }

    /// A refused envelope, labelled with the problem code it was answered with.
    public func envelopeRejected(_ code: ProblemCode) {
        counter(.envelopes, [("result", code.rawValue)]).increment()
    }

    // MARK: Delivery

    /// A delivery answered (pull) or attempted (push).
    public func deliveryAttempted(_ mode: Mode) {
        counter(.deliveryAttempts, [("mode", mode.rawValue)]).increment()
    }

    /// A delivery that failed: a pull that could not be answered, a push the consumer did not take.
    public func deliveryFailed(_ mode: Mode) {
        counter(.deliveryFailures, [("mode", mode.rawValue)]).increment()
    }

    /// Messages handed to a consumer (a pull answered) or acknowledged by it (a push answered 2xx)
    /// at `now`: one latency observation each, from its `acceptedAt`.
    public func delivered(_ mode: Mode, acceptedAt: [String], now: Date) {
        let timer = CoreMetrics.Timer(label: Name.deliveryLatency.rawValue, dimensions: [("mode", mode.rawValue)], factory: factory)
        for text in acceptedAt {
            guard let accepted = Formats.parseDateTime(text) else { continue }
            timer.recordSeconds(max(0, now.timeIntervalSince(accepted)))
        }
    }

    /// A message given up on and kept as a dead letter.
    public func deadLettered(_ mode: Mode = .push) {
        counter(.deadLetters, [("mode", mode.rawValue)]).increment()
    }

    // MARK: TLS and verification

    /// A TLS client certificate refused in the handshake: `revoked`, `invalid` (another CA, expired,
    /// wrong usage, ...) or `unreadable`.
    public func tlsHandshakeFailed(reason: String) {
        counter(.tlsHandshakeFailures, [("reason", reason)]).increment()
    }

    /// A verification call (`route`: `/v1/verify`, `/v1/certificates/verify`, a holder's materials
    /// or access log) answered with HTTP `status`.
    public func verificationCall(route: String, status: Int) {
        counter(.verificationCalls, [("route", route), ("status", String(status))]).increment()
    }

    // MARK: HTTP

    /// A request answered on the mutual-TLS listener; `route` is the template (`/v1/subscriptions/{id}`),
    /// or `unmatched`, so the label set stays small.
    public func httpRequest(method: String, route: String, status: Int) {
        counter(.httpRequests, [("method", method), ("route", route), ("status", String(status))]).increment()
    }

    func counter(_ name: Name, _ dimensions: [(String, String)]) -> Counter {
        Counter(label: name.rawValue, dimensions: dimensions, factory: factory)
    }
}

extension BusMetrics {
    /// Every metric the bus exports, with its help text: one table, read by the exporter.
    public enum Name: String, Sendable, CaseIterable {
        case envelopes = "sharebus_envelopes_total"
        case operations = "sharebus_operations_total"
        case deliveryAttempts = "sharebus_delivery_attempts_total"
        case deliveryFailures = "sharebus_delivery_failures_total"
        case deliveryLatency = "sharebus_delivery_latency_seconds"
        case deadLetters = "sharebus_dead_letters_total"
        case tlsHandshakeFailures = "sharebus_tls_handshake_failures_total"
        case verificationCalls = "sharebus_verification_calls_total"
        case httpRequests = "sharebus_http_requests_total"
        // Gauges set from the operator's queue view when scraped.
        case queueDepth = "sharebus_queue_depth"
        case queueOldestUnackedAge = "sharebus_queue_oldest_unacked_age_seconds"
        case queueDeadLetters = "sharebus_queue_dead_letters"
        case queuePaused = "sharebus_queue_paused"

        public var help: String {
            switch self {
            case .envelopes: "Envelopes received, by result: accepted, duplicate, or the problem code they were refused with."
            case .operations: "Operations (upserts and deletes) in accepted envelopes."
            case .deliveryAttempts: "Deliveries answered (pull) or attempted (push), by mode."
            case .deliveryFailures: "Deliveries that failed, by mode."
            case .deliveryLatency: "Seconds from a message's acceptedAt to its delivery (pull answered, push acknowledged), by mode."
            case .deadLetters: "Messages moved to dead letters."
            case .tlsHandshakeFailures: "TLS handshakes refused in client certificate verification, by reason."
            case .verificationCalls: "Verification calls answered, by route and HTTP status."
            case .httpRequests: "Requests answered on the mutual-TLS listener, by method, route template and HTTP status."
            case .queueDepth: "Messages in the resource log after the subscription's cursor."
            case .queueOldestUnackedAge: "Age in seconds of the oldest message the subscription has not acknowledged (0 when none)."
            case .queueDeadLetters: "Dead letters kept for the subscription."
            case .queuePaused: "1 when the subscription's delivery is paused or suspended, else 0."
            }
        }

        /// Histogram buckets, for the histograms.
        public var buckets: [Duration]? {
            switch self {
            case .deliveryLatency:
                [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400, 86400].map { Duration.milliseconds(Int64($0 * 1000)) }
            default: nil
            }
        }
    }
}
