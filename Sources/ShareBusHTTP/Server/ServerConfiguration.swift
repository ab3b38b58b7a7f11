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
    /// Seconds a connection may sit without a request: from accepting it (TLS handshake included)
    /// or from the end of the previous response until a whole request head has arrived, and between
    /// body parts. A request the bus is still answering (a long poll) is never cut. Default 60;
    /// nil: never (tests only). A client trickling its headers (slowloris) is closed after it.
    public var idleTimeout: Int? = 60
    /// Most bytes of request head fields (all header lines together; one field may be as large).
    /// A larger head is answered by closing the connection. Default 16 KiB.
    public var maxHeaderSize: Int = 16 * 1024
    /// Most client connections open at once, idle ones included. Past it the bus stops accepting
    /// until one closes (new connections wait in the listen backlog). Default 4096.
    public var maxConnections: Int = 4096
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
    /// The per-caller request budget of the HTTPS routes. Default 50 requests a second, bursts of
    /// 100 (`serve --rate-limit`, `--rate-burst`).
    public var rateLimits = RateLimitConfiguration()

    public init() {}
}
