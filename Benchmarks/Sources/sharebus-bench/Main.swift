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
        ])
}

/// Where the bus is and how to trust it; shared by every workload.
struct TargetOptions: ParsableArguments {
    @Option(help: "Base URL of the bus (or of the reference server).") var url: String
    @Option(help: "The platform CA certificate (PEM).") var cacert: String
    @Option(help: "pid of the `sharebus serve` process, to sample its RSS and CPU.") var busPid: Int32?

    func caPEM() throws -> String { try String(contentsOfFile: cacert, encoding: .utf8) }
}
