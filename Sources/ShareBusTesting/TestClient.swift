public import AsyncHTTPClient
public import Foundation
public import NIOCore
public import NIOHTTP1
import NIOSSL
public import ShareBusCore
public import ShareBusCrypto

/// An HTTPS client that presents one client certificate (or none) and trusts the test CA.
public final class TestClient: Sendable {
    public let http: HTTPClient
    public let baseURL: String
    public let credential: IssuedCredential?

    public init(bus: TestBus, credential: IssuedCredential?, trustRootPEM: String? = nil) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array((trustRootPEM ?? bus.pki.ca.certificatePEM).utf8), format: .pem)])
        if let credential {
            tls.certificateChain = [.certificate(try NIOSSLCertificate(bytes: Array(credential.certificatePEM.utf8), format: .pem))]
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(credential.privateKeyPEM.utf8), format: .pem))
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(40))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        baseURL = bus.baseURL
        self.credential = credential
    }

    deinit {
        try? http.syncShutdown()
    }

    public struct Reply: Sendable {
        public let status: Int
        public let headers: [(String, String)]
        public let body: [UInt8]

        public var json: JSONValue? { try? StrictJSON.parse(body) }
        public var text: String { String(decoding: body, as: UTF8.self) }
        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
        /// The `code` of a problem+json answer.
        public var problemCode: String? { json?["code"]?.stringValue }
    }

    public func request(
        _ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, contentType: String? = "application/json",
        headers extra: [(String, String)] = []
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        }
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        let response = try await http.execute(request, timeout: .seconds(40))
        let collected = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return Reply(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            body: Array(buffer: collected))
    }

    public func get(_ path: String) async throws -> Reply { try await request(.GET, path) }

    public func post(_ path: String, json: JSONValue? = nil) async throws -> Reply {
        try await request(.POST, path, body: try json.map { try Self.encode($0) } ?? [])
    }

    public func put(_ path: String, json: JSONValue) async throws -> Reply {
        try await request(.PUT, path, body: try Self.encode(json))
    }

    static func encode(_ value: JSONValue) throws -> [UInt8] {
        Array(try JSONEncoder().encode(value))
    }
}
