import ArgumentParser

/// `sharebus-bench`: the load generator of `make bench` (scripts/bench.sh drives it). Each
/// subcommand runs one workload against a running `sharebus serve` and prints one JSON object.
@main
struct SharebusBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sharebus-bench",
        abstract: "Load generator for sharebus: real mTLS, ES256-signed envelopes, many concurrent clients.",
        subcommands: [
            CeilingCommand.self, IngestCommand.self, FanOutCommand.self, LatencyCommand.self, LookupCommand.self, BacklogCommand.self,
            PushDeliveryCommand.self,
        ])
}

/// Where the bus is and how to trust it; shared by every workload.
struct TargetOptions: ParsableArguments {
    @Option(help: "Base URL of the bus (or of the reference server); `ingest` and `latency` take several nodes, comma-separated.")
    var url: String
    @Option(help: "The platform CA certificate (PEM).") var cacert: String
    @Option(help: "pid of the `sharebus serve` process, to sample its RSS and CPU.") var busPid: Int32?
    @Option(help: "pid of another node of the same bus (repeatable); CPU over all nodes is reported too.") var otherPid: [Int32] = []

    func caPEM() throws -> String { try String(contentsOfFile: cacert, encoding: .utf8) }

    /// The nodes of a bus that several `serve` processes share (one store): `--url A,B,C`.
    var urls: [String] { url.split(separator: ",").map { String($0) } }
}
