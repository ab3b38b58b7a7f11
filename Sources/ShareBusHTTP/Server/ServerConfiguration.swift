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

    public init() {}
}
