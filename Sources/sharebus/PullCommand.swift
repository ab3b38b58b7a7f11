import ArgumentParser
import Foundation
import ShareBusCore
import ShareBusCrypto

/// `sharebus pull`: what a consumer's system does, from a shell.
struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Pull a subscription's messages over mutual TLS, verify the bus's signature, print one JSON message a line.",
        discussion: """
            Nothing moves until acknowledged: without --ack the same messages come again next time. With --ack the
            batch is acknowledged once printed. --follow keeps long-polling (and acknowledging) until interrupted.
            """)

    @Argument(help: "Subscription id.") var subscription: String
    @OptionGroup var client: ClientOptions
    @Option(help: "At most this many messages a batch (1 to 1000).") var limit: Int = 100
    @Option(help: "Seconds to wait for a first message when there is none yet (0 to 30; --follow: 20 unless told).")
    var wait: Int?
    @Flag(help: "Acknowledge each batch once it is printed.") var ack = false
    @Flag(help: "Keep pulling until interrupted (needs --ack, or the cursor never moves).") var follow = false

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be from 1 to 1000") }
        if let wait, !(0...30).contains(wait) { throw ValidationError("--wait must be from 0 to 30 seconds") }
        if follow, !ack { throw ValidationError("--follow needs --ack: without it the same messages would come back forever") }
        if follow, wait == 0 { throw ValidationError("--follow needs a --wait of at least 1 second, or it would poll without pause") }
    }

    func run() async throws {
        let path = "/v1/subscriptions/\(Self.escape(subscription))"
        let wait = wait ?? (follow ? 20 : 0)
        let (subscription, limit, ack, follow) = (subscription, limit, ack, follow)
        try await reportingProblems {
            try await BusClient.with(client) { bus in
                let certificate = try await bus.busCertificate()
                repeat {
                    let sent: BusClient.Reply
                    do {
                        sent = try await bus.send(.GET, "\(path)/messages?limit=\(limit)&wait=\(wait)", timeout: .seconds(Int64(wait) + 30))
                    } catch let error as Unreachable where follow {
                        // Following, a bus that restarts is waited for; nothing was acknowledged, so nothing is lost.
                        FileHandle.standardError.write(Data("sharebus: \(error.description); trying again in 5 s\n".utf8))
                        try await Task.sleep(for: .seconds(5))
                        continue
                    }
                    let reply = try bus.expect(sent, [200], doing: "pulling \(subscription)")
                    let delivery = try BusClient.verifiedPayload(reply.body, type: BusSigner.deliveryType, certificate: certificate).json
                    guard delivery["subscription"]?.stringValue == subscription, let messages = delivery["messages"]?.arrayValue,
                        case .integer(let next) = delivery["nextCursor"]
                    else {
                        throw CLIError("the bus's delivery is not a delivery of subscription \(subscription)")
                    }
                    for message in messages { writeLine(try CanonicalJSON.string(message)) }
                    if ack, !messages.isEmpty {
                        let body = try CanonicalJSON.serialize(.object(["sequence": .integer(next)]))
                        _ = try bus.expect(
                            try await bus.send(.POST, "\(path)/ack", body: body, contentType: "application/json"), [200],
                            doing: "acknowledging \(subscription) through \(next)")
                    }
                } while follow && !Task.isCancelled
            }
        }
    }

    /// A path segment with everything but unreserved characters percent-encoded.
    static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(
            withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")) ?? segment
    }
}
