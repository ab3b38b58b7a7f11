import Foundation
import ShareBusCrypto
import ShareBusTesting
import Synchronization

/// `openssl s_client` against the running bus, presenting a client credential written to a
/// temporary folder: the TLS tests use the system's OpenSSL, not the Swift stack the bus runs on.
struct SClient {
    let directory: URL
    let port: Int

    init(port: Int, credential: IssuedCredential, caPEM: String) throws {
        try self.init(port: port, certificatePEM: credential.certificatePEM, keyPEM: credential.privateKeyPEM, caPEM: caPEM)
    }

    init(port: Int, certificatePEM: String, keyPEM: String, caPEM: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sclient-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(certificatePEM.utf8).write(to: directory.appendingPathComponent("cert.pem"))
        try Data(keyPEM.utf8).write(to: directory.appendingPathComponent("key.pem"))
        try Data(caPEM.utf8).write(to: directory.appendingPathComponent("ca.pem"))
        self.port = port
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    var baseArguments: [String] {
        [
            "s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost", "-cert", directory.appendingPathComponent("cert.pem").path,
            "-key", directory.appendingPathComponent("key.pem").path, "-CAfile", directory.appendingPathComponent("ca.pem").path,
        ]
    }

    /// A handshake with `extra` options and nothing sent after it: the exit status and everything printed.
    func handshake(_ extra: [String]) throws -> (status: Int32, output: String) {
        try ChildProcess.run("/usr/bin/openssl", baseArguments + extra)
    }

    /// The negotiated protocol and cipher of a successful handshake (`New, TLSv1.3, Cipher is ...`), or nil.
    static func negotiated(_ output: String) -> (version: String, cipher: String)? {
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("New, TLS") }) else { return nil }
        let parts = line.replacingOccurrences(of: ",", with: "").split(separator: " ")
        guard parts.count >= 5 else { return nil }
        return (String(parts[1]), String(parts[4]))
    }

    /// One open `s_client` connection that carries several HTTP/1.1 requests (keep-alive).
    final class Session: Sendable {
        let process: ChildProcess
        let input: FileHandle
        /// What the connection has answered so far, and whether it has closed.
        final class Received: Sendable {
            let bytes = Mutex([UInt8]())
            let closed = Mutex(false)
        }
        private let received = Received()

        init(_ client: SClient) throws {
            process = try ChildProcess(
                executable: "/usr/bin/openssl", arguments: client.baseArguments + ["-quiet", "-tls1_3"], input: .pipe, output: .pipe)
            guard let writer = process.standardInput, let reader = process.standardOutput else {
                throw ChildProcess.SpawnFailure(description: "openssl s_client started without its pipes")
            }
            input = writer
            let received = received
            reader.readabilityHandler = { handle in
                let data = handle.availableData
                if data.isEmpty {
                    received.closed.withLock { $0 = true }
                    handle.readabilityHandler = nil
                } else {
                    received.bytes.withLock { $0 += Array(data) }
                }
            }
        }

        /// Sends `GET path` on the open connection and waits for one whole response (status and body).
        func get(_ path: String, timeout: Duration = .seconds(10)) async throws -> (status: Int, body: String)? {
            received.bytes.withLock { $0.removeAll() }
            input.write(Data("GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n".utf8))
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if let response = received.bytes.withLock({ Self.parse($0) }) { return response }
                if received.closed.withLock({ $0 }) { return received.bytes.withLock { Self.parse($0) } }
                try await Task.sleep(for: .milliseconds(5))
            }
            return nil
        }

        var isClosed: Bool { received.closed.withLock { $0 } }

        func close() {
            try? input.close()
            process.send(SIGTERM)
        }

        /// A complete response in `bytes` (Content-Length framed), or nil while it is still arriving.
        static func parse(_ bytes: [UInt8]) -> (status: Int, body: String)? {
            let text = String(decoding: bytes, as: UTF8.self)
            guard let headEnd = text.range(of: "\r\n\r\n") else { return nil }
            let head = text[..<headEnd.lowerBound]
            let lines = head.split(separator: "\r\n")
            guard let statusLine = lines.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else { return nil }
            let length = lines.compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }.first ?? 0
            let body = Array(text[headEnd.upperBound...].utf8)
            guard body.count >= length else { return nil }
            return (status, String(decoding: body.prefix(length), as: UTF8.self))
        }
    }
}
