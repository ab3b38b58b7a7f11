public import Foundation

/// How `sharebus serve` listens and where it keeps its state. Built once from flags and environment.
public struct ServerConfiguration: Sendable {
    /// Address to bind. Default `127.0.0.1`.
    public var host: String = "127.0.0.1"
    /// HTTPS port. Default 8443; 0 picks a free port (tests).
    public var port: Int = 8443
    /// Folder of the SQLite store. Default `./data`.
    public var dataDirectory: String = "data"
    /// Folder of the platform PKI (CA, bus certificates, issued credentials). Default `./Certs`.
    public var certsDirectory: String = "Certs"
    /// Largest request body accepted, in bytes. Default 4 MiB (protocol section 3).
    public var maxBodySize: Int = 4 * 1024 * 1024
    /// Largest page a list answers. Default 1000.
    public var maxPageSize: Int = 1000
    /// Port of the plain-HTTP local listener (`/metrics`, `/healthz`, `/readyz`, no client
    /// certificate), for Prometheus and probes. Default nil: none; `serve` turns it on at 9464.
    /// 0 picks a free port (tests).
    public var localPort: Int? = nil
    /// Address of the local listener. Default `127.0.0.1`: only this host may scrape.
    public var localHost: String = "127.0.0.1"
    /// Also serve the operator dashboard `/ui/` on the local listener, to anyone who can reach it
    /// (trusted-localhost operator access; refused unless `localHost` is a loopback address).
    /// Default false; `serve --dev` turns it on.
    public var dashboardOnLocalListener = false

    public init() {}
}
