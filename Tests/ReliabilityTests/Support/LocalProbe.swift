import AsyncHTTPClient
import Foundation
import NIOCore

/// Plain HTTP to the bus's local listener (`/healthz`, `/readyz`), as a load balancer's probe would.
enum LocalProbe {
    static func get(port: Int, path: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1024 * 1024)
        return (Int(response.status.code), String(buffer: body))
    }
}
