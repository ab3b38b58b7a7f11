import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import ShareBusCore
import ShareBusCrypto
import X509

/// How a department's system reaches the bus; shared by `push` and `pull`.
struct ClientOptions: ParsableArguments {
    @Option(help: "Client certificate (PEM) the bus knows the caller by, e.g. Certs/departments/<id>/cert.pem.")
    var cert: String
    @Option(help: "Its private key (PEM).")
    var key: String
    @Option(help: "The bus's base URL (env SHAREBUS_URL).")
    var url: String = ProcessInfo.processInfo.environment["SHAREBUS_URL"] ?? "https://localhost:8443"
    @Option(help: "The platform CA certificate: the bus's TLS and signing certificates must chain to it.")
    var cacert: String = "Certs/ca.pem"
}

/// The bus could not be reached or the TLS handshake failed: nothing was sent, or what was sent got no answer.
struct Unreachable: Error, CustomStringConvertible {
    let description: String
}

/// A problem+json answer of the bus: printed as `sharebus: <code>: <detail>`, exit status 1.
struct BusProblem: Error, CustomStringConvertible {
    let code: String
    let detail: String
    var description: String { "sharebus: \(code): \(detail)" }
}

/// An HTTPS client presenting the caller's certificate over mutual TLS, trusting only the platform CA,
/// and checking what the bus signs against the bus certificate that chains to that CA.
final class BusClient: Sendable {
    let http: HTTPClient
    let baseURL: String
    let caCertificate: Certificate
    let caFile: String

    struct Reply: Sendable {
        let status: Int
        let contentType: String?
        let body: [UInt8]
        var isProblem: Bool { contentType?.hasPrefix("application/problem+json") == true }
    }

    private init(_ options: ClientOptions) throws {
        let caPEM = try readText(options.cacert)
        do {
            caCertificate = try Certificate(pemEncoded: caPEM)
        } catch {
            throw CLIError("\(options.cacert) is not a PEM certificate")
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(caPEM.utf8), format: .pem)])
            tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(try readText(options.cert).utf8)).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(try readText(options.key).utf8), format: .pem))
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("cannot use \(options.cert) and \(options.key) as a TLS client credential: \(error)")
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        // A person at a shell wants a refused connection or a failed handshake said at once, not retried for the connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        baseURL = options.url.hasSuffix("/") ? String(options.url.dropLast()) : options.url
        caFile = options.cacert
    }

    /// Runs `body` with a client, and shuts the client down whatever happens.
    static func with<T: Sendable>(_ options: ClientOptions, _ body: (BusClient) async throws -> T) async throws -> T {
        let client = try BusClient(options)
        do {
            let result = try await body(client)
            try? await client.http.shutdown()
            return result
        } catch {
            try? await client.http.shutdown()
            throw error
        }
    }

    func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, contentType: String? = nil, timeout: Duration = .seconds(60))
        async throws -> Reply
    {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        }
        do {
            let response = try await http.execute(request, timeout: .seconds(timeout.components.seconds))
            let collected = try await response.body.collect(upTo: 64 * 1024 * 1024)
            return Reply(status: Int(response.status.code), contentType: response.headers.first(name: "content-type"), body: Array(buffer: collected))
        } catch let error as NIOSSLError {
            throw Unreachable(description: "the TLS handshake with \(baseURL) failed (check --cacert, --cert and --key): \(error)")
        } catch {
            throw Unreachable(description: "cannot reach \(baseURL)\(path): \(error)")
        }
    }

    /// The reply when it has `status`; a problem answer becomes `BusProblem`, anything else a one-line error.
    func expect(_ reply: Reply, _ statuses: Set<Int>, doing action: String) throws -> Reply {
        if statuses.contains(reply.status) { return reply }
        if reply.isProblem, let json = try? StrictJSON.parse(reply.body), let code = json["code"]?.stringValue {
            throw BusProblem(code: code, detail: json["detail"]?.stringValue ?? json["title"]?.stringValue ?? "")
        }
        throw CLIError("\(action): the bus answered \(reply.status) \(String(decoding: reply.body.prefix(200), as: UTF8.self))")
    }

    /// The bus signing certificate as published at `/v1/pki/bus.pem`, once it is checked to chain to the
    /// platform CA and to be the bus's own signing certificate.
    func busCertificate() async throws -> Certificate {
        let reply = try expect(try await send(.GET, "/v1/pki/bus.pem"), [200], doing: "fetching the bus certificate")
        guard let certificate = try? Certificate(pemEncoded: String(decoding: reply.body, as: UTF8.self)) else {
            throw CLIError("/v1/pki/bus.pem is not a PEM certificate")
        }
        var verifier = Verifier(rootCertificates: CertificateStore([caCertificate])) {
            RFC5280Policy(validationTime: Date())
        }
        guard case .validCertificate = await verifier.validate(leaf: certificate, intermediates: CertificateStore()) else {
            throw CLIError("the bus certificate from /v1/pki/bus.pem does not chain to \(caFile)")
        }
        guard certificate.sanURIs.contains(CertificateProfile.busURI), certificate.hasExtendedKeyUsage(CertificateProfile.documentSigning)
        else {
            throw CLIError("the certificate at /v1/pki/bus.pem is not the bus's signing certificate")
        }
        return certificate
    }

    /// The payload of `body`, a JWS of `type` that `certificate` signed; refuses anything else.
    static func verifiedPayload(_ body: [UInt8], type: String, certificate: Certificate) throws -> (bytes: [UInt8], json: JSONValue) {
        let parsed: ParsedJWS
        do {
            parsed = try JWS.parse(body, expectedType: type)
        } catch let error as ShareBusError {
            throw CLIError("the bus's answer is not a \(type): \(error.detail)")
        }
        guard JWS.verify(parsed, certificate: certificate) else {
            throw CLIError("the bus's \(type) does not verify with the bus signing certificate")
        }
        guard let json = try? StrictJSON.parse(parsed.payload) else {
            throw CLIError("the bus's \(type) does not carry a JSON payload")
        }
        return (parsed.payload, json)
    }
}

/// The text of a file the user named, or one line saying why not.
func readText(_ file: String) throws -> String {
    do {
        return try String(contentsOfFile: file, encoding: .utf8)
    } catch {
        throw CLIError("cannot read \(file): \(error.localizedDescription)")
    }
}

/// Writes a line to stdout at once: `print` to a pipe is block-buffered, and `pull --follow` runs until stopped.
func writeLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

extension AsyncParsableCommand {
    /// Prints a bus problem as `sharebus: <code>: <detail>` and exits 1; other errors go to ArgumentParser.
    func reportingProblems(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let problem as BusProblem {
            FileHandle.standardError.write(Data((problem.description + "\n").utf8))
            throw ExitCode.failure
        }
    }
}
