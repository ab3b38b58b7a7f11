import Foundation
import Hummingbird
import ShareBusCore
import ShareBusDelivery

extension BusRouter {
    func addDeliveryRoutes(_ env: BusEnvironment) {
        on(.get, "/v1/subscriptions/{id}/messages") { request, context in
            guard let department = context.department else { throw ShareBusError(.notSubscribed, "consumers pull their subscriptions") }
            let id = try RequestReading.parameter("id", context)
            let limit = try RequestReading.limit(request, fallback: 100, maximum: PullService.maxLimit)
            var wait = Duration.zero
            if let text = request.uri.queryParameters.get("wait") {
                guard let seconds = Int(text), (0...30).contains(seconds) else {
                    throw ShareBusError.invalidParameter("wait must be a whole number of seconds from 0 to 30")
                }
                wait = .seconds(seconds)
            }
            let jws = try await env.pull.pull(id, consumer: department, limit: limit, wait: wait)
            var headers = HTTPFields()
            headers[.contentType] = "application/jose+json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: jws)))
        }
        on(.post, "/v1/subscriptions/{id}/ack") { request, context in
            guard let department = context.department else { throw ShareBusError(.notSubscribed, "consumers acknowledge their subscriptions") }
            let id = try RequestReading.parameter("id", context)
            let body = try await RequestReading.json(request, context: context, limit: 64 * 1024)
            guard case .integer(let sequence) = body["sequence"], sequence >= 0 else {
                throw ShareBusError.malformed("the body must be {\"sequence\": n} with a whole number n")
            }
            let subscription = try await env.pull.acknowledge(id, consumer: department, sequence: sequence)
            return try JSONResponse.make(["subscription": JSONValue.string(id), "cursor": .integer(subscription.cursor)])
        }
        on(.get, "/v1/resources/{code}/records/{key}") { _, context in
            guard let department = context.department else { throw ShareBusError(.notSubscribed, "consumers query records") }
            let code = try RequestReading.parameter("code", context)
            let key = try RequestReading.parameter("key", context)
            return try JSONResponse.make(try await env.pull.query(resource: code, key: key, consumer: department))
        }
    }
}
