import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOSSL
import ShareBusCore
import ShareBusCrypto
import ShareBusTesting
import X509

/// An HTTPS client presenting a department's `cert.pem` and `key.pem` as written by `dept add`, trusting `ca.pem`.
final class BusHTTPClient: Sendable {
    let http: HTTPClient
    let baseURL: String

    init(port: Int, caFile: String, certificateFile: String, keyFile: String, readTimeout: Duration = .seconds(20)) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(5), read: .init(readTimeout))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        baseURL = "https://localhost:\(port)"
    }

    deinit {
        try? http.syncShutdown()
    }

    struct Reply: Sendable {
        let status: Int
        let contentType: String?
        let body: [UInt8]

        var json: JSONValue? { try? StrictJSON.parse(body) }
        var problemCode: String? { json?["code"]?.stringValue }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func get(_ path: String, timeout: Duration = .seconds(20)) async throws -> Reply {
        try await send(HTTPClientRequest(url: baseURL + path), timeout: timeout)
    }

    func post(_ path: String, body: [UInt8], contentType: String, timeout: Duration = .seconds(20)) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await send(request, timeout: timeout)
    }

    func post(_ path: String, json: JSONValue) async throws -> Reply {
        try await post(path, body: try CanonicalJSON.serialize(json), contentType: "application/json")
    }

    private func send(_ request: HTTPClientRequest, timeout: Duration) async throws -> Reply {
        let response = try await http.execute(request, timeout: .init(timeout))
        let body = try await response.body.collect(upTo: 32 * 1024 * 1024)
        return Reply(status: Int(response.status.code), contentType: response.headers.first(name: "content-type"), body: Array(buffer: body))
    }
}

extension Workspace {
    /// Signs envelopes with the provider's TLS key and certificate, as `dept add` wrote them.
    func envelopeBuilder() throws -> EnvelopeBuilder {
        let directory = departmentDirectory(Self.provider)
        let key = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOfFile: directory + "/key.pem", encoding: .utf8))
        let certificate = try Certificate(pemEncoded: String(contentsOfFile: directory + "/cert.pem", encoding: .utf8))
        return EnvelopeBuilder(signer: .p256(key), certificateDER: certificate.derBytes)
    }
}

extension BusHTTPClient {
    /// GET with one extra header; answers the status, or nil when the bus closed the connection instead.
    func getWithHeader(_ path: String, name: String, value: String) async throws -> Int? {
        var request = HTTPClientRequest(url: baseURL + path)
        request.headers.add(name: name, value: value)
        do {
            let response = try await http.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1024 * 1024)
            return Int(response.status.code)
        } catch {
            return nil
        }
    }
}
