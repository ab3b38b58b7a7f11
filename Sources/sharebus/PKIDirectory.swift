import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore
import X509

/// The platform PKI on disk (`Certs/` by default). Private keys are written 0600.
///
/// ```
/// ca.pem, ca-key.pem                     the platform CA
/// bus/server.pem, bus/server-key.pem     the bus's TLS server certificate
/// bus/bus.pem, bus/bus-key.pem           the bus's signing certificate (receipts, deliveries, evidence)
/// departments/<id>/cert.pem, key.pem     a department's mutual-TLS client credential
/// operators/<id>/cert.pem, key.pem       an operator's client credential
/// bus/data-keys/index.key, d<n>.key      the keys of record values at rest (folder 0700)
/// ```
struct PKIDirectory {
    let root: String

    var caCertificate: String { path("ca.pem") }
    var caKey: String { path("ca-key.pem") }
    var serverCertificate: String { path("bus/server.pem") }
    var serverKey: String { path("bus/server-key.pem") }
    var busCertificate: String { path("bus/bus.pem") }
    var busKey: String { path("bus/bus-key.pem") }
    /// The keyring that seals L3/L4 values and keys the index of protected keys (`sharebus keys`).
    var dataKeys: DataKeyFolder { DataKeyFolder(path: path("bus/data-keys")) }
    func departmentDirectory(_ id: String) -> String { path("departments/\(id)") }
    func operatorDirectory(_ id: String) -> String { path("operators/\(id)") }

    func path(_ relative: String) -> String { (root as NSString).appendingPathComponent(relative) }

    var exists: Bool { FileManager.default.fileExists(atPath: caCertificate) }

    func loadCA() throws -> PlatformCA {
        guard exists else {
            throw CLIError("no platform CA in \(root); run `sharebus pki init --certs \(root)` first")
        }
        return try PlatformCA(certificatePEM: try read(caCertificate), privateKeyPEM: try read(caKey))
    }

    func read(_ file: String) throws -> String {
        do {
            return try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw CLIError("cannot read \(file): \(error.localizedDescription)")
        }
    }

    /// Writes a certificate (0644) and its key (0600) into `directory`, creating it.
    func write(_ credential: IssuedCredential, certificate: String, key: String) throws {
        try writeFile(credential.certificatePEM, to: certificate, mode: 0o644)
        try writeFile(credential.privateKeyPEM, to: key, mode: 0o600)
    }

    func writeFile(_ text: String, to file: String, mode: Int) throws {
        let directory = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Create with the final mode so a key is never readable by others, not even for an instant.
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, mode_t(mode))
        guard fd >= 0 else { throw CLIError("cannot write \(file): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        fchmod(fd, mode_t(mode))
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Foundation.write(fd, $0.baseAddress, $0.count) }) == bytes.count, fsync(fd) == 0 else {
            throw CLIError("cannot write \(file): \(String(cString: strerror(errno)))")
        }
    }
}

/// A command-line failure: one line a person understands, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
