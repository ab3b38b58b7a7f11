import Hummingbird
import ShareBusCore

extension BusRouter {
    func addHealthRoutes(_ env: BusEnvironment) {
        on(.get, "/healthz") { _, _ in
            try JSONResponse.make(["status": "ok"])
        }
        on(.get, "/readyz") { _, _ in
            guard await env.store.isReady else { throw ShareBusError(.notReady, "the store is not open and migrated yet") }
            return try JSONResponse.make(["status": "ready"])
        }
        on(.get, "/v1/openapi.json") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
    }
}
