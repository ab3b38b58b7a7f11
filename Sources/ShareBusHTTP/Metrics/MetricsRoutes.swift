import Foundation
import Hummingbird
import Logging
import ShareBusCore

extension BusRouter {
    /// `GET /metrics`. On the mutual-TLS listener only operators may read it; on the local
    /// listener (loopback by default) anyone who can connect may, which is how Prometheus scrapes.
    func addMetricsRoute(_ env: BusEnvironment, operatorsOnly: Bool) {
        on(.get, "/metrics") { _, context in
            if operatorsOnly { _ = try context.requireOperator() }
            var headers = HTTPFields()
            headers[.contentType] = MetricsExporter.contentType
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: await env.scrapeMetrics())))
        }
    }
}

extension BusEnvironment {
    /// The Prometheus exposition of this bus, queue gauges read now.
    func scrapeMetrics() async -> String {
        do {
            return metricsExporter.render(queues: try await queueSamples())
        } catch {
            // The counters are still worth having when the queue view cannot be read.
            logger.warning("queue gauges not refreshed", metadata: ["error": "\(error)"])
            return metricsExporter.render(queues: nil)
        }
    }
}
