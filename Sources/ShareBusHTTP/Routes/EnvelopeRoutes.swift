import Foundation
import Hummingbird
import ShareBusCore
import ShareBusDelivery

extension BusRouter {
    func addEnvelopeRoutes(_ env: BusEnvironment) {
        on(.post, "/v1/envelopes") { request, context in
            do {
                return try await Self.pushEnvelope(request, context, env)
            } catch {
                env.metrics.envelopeRejected(ProblemCode.answering(error))
                throw error
            }
        }
    }

    static func pushEnvelope(_ request: Request, _ context: BusRequestContext, _ env: BusEnvironment) async throws -> Response {
        guard let department = context.department else {
            throw ShareBusError.forbidden("envelopes are pushed by departments")
        }
        var request = request
        // Size first (protocol section 3), then the media type.
        let body = try await request.collectBody(upTo: env.configuration.maxBodySize)
        try RequestReading.requireMediaType(request, anyOf: ["application/jose+json"])
        let result = try await env.ingest.ingest(Array(buffer: body), caller: department.id)
        var headers = HTTPFields()
        headers[.contentType] = "application/jose+json"
        switch result {
        case .created(let receipt):
            return Response(status: .created, headers: headers, body: .init(byteBuffer: ByteBuffer(string: receipt)))
        case .duplicate(let receipt):
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: receipt)))
        }
    }
}
