import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// A department's (or operator's) TLS credential as `sharebus dept add` writes it: `cert.pem`, `key.pem`.
struct Credential: Sendable {
    let id: String
    let certificatePEM: String
    let keyPEM: String

    init(directory: String) throws {
        id = (directory as NSString).lastPathComponent
        certificatePEM = try String(contentsOfFile: directory + "/cert.pem", encoding: .utf8)
        keyPEM = try String(contentsOfFile: directory + "/key.pem", encoding: .utf8)
    }
}

/// An HTTPS/1.1 client with mutual TLS and a pool of keep-alive connections, one per concurrent worker.
///
/// HTTP/1.1 on purpose: 64 workers then hold 64 TLS connections, as 64 department systems would, and
/// nginx and the bus are driven the same way.
final class BusHTTP: Sendable {
    let http: HTTPClient
    let baseURL: String

    struct Reply: Sendable {
        let status: Int
        let body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    }

    init(url: String, caPEM: String, credential: Credential, connections: Int) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(caPEM.utf8), format: .pem)])
        tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(credential.certificatePEM.utf8)).map { .certificate($0) }
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(credential.keyPEM.utf8), format: .pem))
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.httpVersion = .http1Only
        configuration.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, connections))
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, contentType: String = "application/json") async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
            request.headers.add(name: "Content-Type", value: contentType)
        }
        let response = try await http.execute(request, timeout: .seconds(60))
        let collected = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return Reply(status: Int(response.status.code), body: Array(buffer: collected))
    }

    func post(_ path: String, json: Any) async throws -> Reply {
        try await send(.POST, path, body: Array(try JSONSerialization.data(withJSONObject: json)))
    }

    func shutdown() async {
        try? await http.shutdown()
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension BusHTTP.Reply {
    /// The reply when its status is one of `statuses`, else an error that quotes the answer.
    func expect(_ statuses: Set<Int>, _ action: String) throws -> Self {
        guard statuses.contains(status) else { throw BenchError("\(action): HTTP \(status) \(text.prefix(300))") }
        return self
    }
}
