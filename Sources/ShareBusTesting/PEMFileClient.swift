public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
public import ShareBusCore
import ShareBusCrypto

/// An HTTPS client presenting a department's `cert.pem` and `key.pem` as `dept add` wrote them,
/// trusting the platform's `ca.pem`: how tests reach a bus that runs as its own process.
public final class PEMFileClient: Sendable {
    public let http: HTTPClient
    public let baseURL: String

    public init(port: Int, caFile: String, certificateFile: String, keyFile: String, readTimeout: Duration = .seconds(20)) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(5), read: .init(readTimeout))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        baseURL = "https://localhost:\(port)"
    }

    /// The client of department `id` whose files are in `certs/departments/id/`.
    public convenience init(port: Int, certs: String, department id: String, readTimeout: Duration = .seconds(20)) throws {
        let directory = certs + "/departments/" + id
        try self.init(
            port: port, caFile: certs + "/ca.pem", certificateFile: directory + "/cert.pem", keyFile: directory + "/key.pem",
            readTimeout: readTimeout)
    }

    deinit {
        try? http.syncShutdown()
    }

    public struct Reply: Sendable {
        public let status: Int
        public let contentType: String?
        public let body: [UInt8]

        public var json: JSONValue? { try? StrictJSON.parse(body) }
        public var problemCode: String? { json?["code"]?.stringValue }
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public func get(_ path: String, timeout: Duration = .seconds(20)) async throws -> Reply {
        try await send(HTTPClientRequest(url: baseURL + path), timeout: timeout)
    }

    public func post(_ path: String, body: [UInt8], contentType: String, timeout: Duration = .seconds(20)) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await send(request, timeout: timeout)
    }

    public func post(_ path: String, json: JSONValue) async throws -> Reply {
        try await post(path, body: try CanonicalJSON.serialize(json), contentType: "application/json")
    }

    /// GET with one extra header; answers the status, or nil when the bus closed the connection instead.
    public func getWithHeader(_ path: String, name: String, value: String) async throws -> Int? {
        var request = HTTPClientRequest(url: baseURL + path)
        request.headers.add(name: name, value: value)
        do {
            return try await send(request, timeout: .seconds(10)).status
        } catch {
            return nil
        }
    }

    private func send(_ request: HTTPClientRequest, timeout: Duration) async throws -> Reply {
        let response = try await http.execute(request, timeout: .init(timeout))
        let body = try await response.body.collect(upTo: 32 * 1024 * 1024)
        return Reply(status: Int(response.status.code), contentType: response.headers.first(name: "content-type"), body: Array(buffer: body))
    }
}
