import ArgumentParser
import Foundation
import ShareBusCore
import ShareBusCrypto

/// `sharebus queues`: `GET /v1/ops/queues` as a table, for an operator at a terminal.
struct QueuesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queues",
        abstract: "Show every subscription's queue: state, cursor, depth, age, delivery rate, failures, dead letters.",
        discussion: "Needs an operator certificate; by default the one `serve --dev` issues in Certs/operators/ops/.")

    @Option(help: "Operator client certificate (PEM).") var cert: String = "Certs/operators/ops/cert.pem"
    @Option(help: "Its private key (PEM).") var key: String = "Certs/operators/ops/key.pem"
    @Option(help: "The bus's base URL (env SHAREBUS_URL).")
    var url: String = ProcessInfo.processInfo.environment["SHAREBUS_URL"] ?? "https://localhost:8443"
    @Option(help: "The platform CA certificate.") var cacert: String = "Certs/ca.pem"
    @Flag(help: "Print the JSON answer instead of a table.") var json = false

    func run() async throws {
        let options = try ClientOptions.parse(["--cert", cert, "--key", key, "--url", url, "--cacert", cacert])
        let json = json
        try await reportingProblems {
            try await BusClient.with(options) { bus in
                let reply = try bus.expect(try await bus.send(.GET, "/v1/ops/queues"), [200], doing: "reading the queues")
                guard let answer = try? StrictJSON.parse(reply.body), let queues = answer["queues"]?.arrayValue else {
                    throw CLIError("the bus's answer to /v1/ops/queues is not a list of queues")
                }
                if json {
                    writeLine(String(decoding: reply.body, as: UTF8.self))
                } else {
                    writeLine(QueueTable(queues).text)
                }
            }
        }
    }
}

/// The queues as aligned columns; empty values print as `-`.
struct QueueTable {
    static let columns: [(title: String, member: String)] = [
        ("SUBSCRIPTION", "subscription"), ("CONSUMER", "consumer"), ("RESOURCE", "resource"), ("MODE", "mode"), ("STATUS", "status"),
        ("CURSOR", "cursor"), ("HEAD", "head"), ("DEPTH", "depth"), ("OLDEST(s)", "oldestUnackedAgeSeconds"),
        ("RATE/min", "deliveryRatePerMinute"), ("FAILURES", "consecutiveFailures"), ("DEAD", "deadLetters"),
        ("LAST DELIVERY", "lastDeliveryAt"), ("LAST ERROR", "lastError"),
    ]

    let rows: [[String]]

    init(_ queues: [JSONValue]) {
        rows = queues.map { queue in Self.columns.map { Self.cell(queue[$0.member]) } }
    }

    static func cell(_ value: JSONValue?) -> String {
        switch value {
        case .string(let s)?: s
        case .integer(let i)?: String(i)
        case .number(let d)?: String(format: "%.2f", d)
        case .bool(let b)?: String(b)
        default: "-"
        }
    }

    var text: String {
        guard !rows.isEmpty else { return "no subscriptions" }
        let titles = Self.columns.map(\.title)
        var widths = titles.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        return ([line(titles)] + rows.map(line)).joined(separator: "\n")
    }
}
