import Foundation
import ShareBusTesting

/// A webhook receiver in a process of its own (Python's HTTPS server, mutual TLS), so that a test can stop it
/// with SIGSTOP as a hung peer would be: connections are accepted by the kernel but never answered.
final class ProcessWebhook: Sendable {
    let child: CapturedProcess
    let port: Int
    let caFile: String
    let folder: String

    var url: String { "https://127.0.0.1:\(port)/hook" }

    private init(child: CapturedProcess, port: Int, caFile: String, folder: String) {
        self.child = child
        self.port = port
        self.caFile = caFile
        self.folder = folder
    }

    static let script = """
        import http.server, os, ssl, sys
        cert, key, ca, out = sys.argv[1:5]
        class Hook(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                name = os.path.join(out, "%d.jws" % len(os.listdir(out)))
                with open(name + ".tmp", "wb") as f: f.write(body)
                os.rename(name + ".tmp", name)
                self.send_response(200); self.send_header("content-length", "0"); self.end_headers()
            def log_message(self, *args): pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key); context.load_verify_locations(ca); context.verify_mode = ssl.CERT_REQUIRED
        server.socket = context.wrap_socket(server.socket, server_side=True)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    static func start(platformCAFile: String, in root: URL) async throws -> ProcessWebhook {
        let folder = root.appendingPathComponent("hook-\(UUID().uuidString)")
        let received = folder.appendingPathComponent("received")
        try FileManager.default.createDirectory(at: received, withIntermediateDirectories: true)
        let pki = try TestPKI()
        let credential = try pki.ca.issueP256(profile: .server(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"]), now: Date(), validityDays: 2)
        let files = ["ca.pem": pki.ca.certificatePEM, "cert.pem": credential.certificatePEM, "key.pem": credential.privateKeyPEM, "hook.py": script]
        for (name, text) in files { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
        let child = try CapturedProcess(
            executable: URL(fileURLWithPath: "/usr/bin/python3"),
            arguments: ["hook.py", "cert.pem", "key.pem", platformCAFile, received.path], in: folder)
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let port = Int(child.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return ProcessWebhook(child: child, port: port, caFile: folder.appendingPathComponent("ca.pem").path, folder: received.path)
            }
            guard child.process.isRunning else { throw ReliabilityFailure("the webhook process exited: \(child.stderr)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ReliabilityFailure("the webhook process did not start: \(child.stderr)")
    }

    func pause() { kill(child.pid, SIGSTOP) }
    func resume() { kill(child.pid, SIGCONT) }
    func stop() async {
        resume()
        _ = await child.stop(signal: SIGKILL)
    }

    var received: [[UInt8]] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".jws") }) ?? []
        return names.compactMap { FileManager.default.contents(atPath: folder + "/" + $0).map { Array($0) } }
    }
}
