import Hummingbird
import ShareBusCore

extension BusRouter {
    func addPKIRoutes(_ env: BusEnvironment) {
        on(.get, "/v1/pki/ca.pem") { _, _ in
            Self.pem(env.pki.caCertificatePEM)
        }
        on(.get, "/v1/pki/bus.pem") { _, _ in
            Self.pem(env.pki.busSigningCertificatePEM)
        }
        on(.get, "/v1/pki/crl") { _, _ in
            let der = try await env.pki.crl(store: env.store, now: env.clock.now())
            var headers = HTTPFields()
            headers[.contentType] = "application/pkix-crl"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: der)))
        }
    }

    static func pem(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/x-pem-file"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
