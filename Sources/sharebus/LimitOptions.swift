import ArgumentParser
import ShareBusHTTP

/// `serve`'s connection limits; each default is `ServerConfiguration`'s (docs/operations.md, "Limits").
struct LimitOptions: ParsableArguments {
    @Option(help: "Seconds a connection may wait for a whole request head (after connecting or after the previous response) or sit idle; 0: never.")
    var idleTimeout: Int = ServerConfiguration().idleTimeout ?? 0
    @Option(help: "Most bytes of a request's header fields.")
    var maxHeaderSize: Int = ServerConfiguration().maxHeaderSize
    @Option(help: "Most client connections open at once; past it new connections wait in the listen backlog.")
    var maxConnections: Int = ServerConfiguration().maxConnections
    @Option(help: "Largest request body, in bytes.")
    var maxBodySize: Int = ServerConfiguration().maxBodySize

    func apply(to configuration: inout ServerConfiguration) throws {
        guard idleTimeout >= 0, maxHeaderSize >= 1024, maxConnections >= 1, maxBodySize >= 1024 else {
            throw CLIError("--idle-timeout must be at least 0, --max-connections at least 1, --max-header-size and --max-body-size at least 1024")
        }
        configuration.idleTimeout = idleTimeout > 0 ? idleTimeout : nil
        configuration.maxHeaderSize = maxHeaderSize
        configuration.maxConnections = maxConnections
        configuration.maxBodySize = maxBodySize
    }
}
