import ArgumentParser
import Crypto
import Dispatch
import Foundation

/// The signature-verify ceiling of this machine: ES256 verifies per second on every core, with
/// swift-crypto (BoringSSL) in a tight loop, over the signing input of a 1-op and of a 100-op envelope.
/// No bus can accept signed envelopes faster than it can check their signatures.
struct CeilingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ceiling", abstract: "ES256 verifies per second on all cores.")

    @Option(help: "Seconds per measurement.") var seconds: Double = 3
    @Option(help: "Threads (default: the number of cores).") var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func run() async throws {
        let key = P256.Signing.PrivateKey()
        var result: [String: Any] = ["threads": threads, "seconds": seconds]
        for ops in [1, 100] {
            let payload = Wire.message(sender: "bench.p1", resource: "bench.ingest1", keyPrefix: "c", count: ops, sentAt: wallMicros())
            let input = Array((Base64URL.encode(Array(#"{"alg":"ES256"}"#.utf8)) + "." + Base64URL.encode(payload)).utf8)
            let signature = try key.signature(for: input)
            let publicKey = key.publicKey
            let bounded = min(max(seconds, 0.5), 30)
            let counts = ThreadCounts(threads)
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                let end = nowNanos() + UInt64(bounded * 1e9)
                var n = 0
                while n < 100_000_000 {
                    guard publicKey.isValidSignature(signature, for: input) else { fatalError("a good signature did not verify") }
                    n += 1
                    if n % 64 == 0, nowNanos() >= end { break }
                }
                counts.set(t, n)
            }
            let verifies = Double(counts.total) / bounded
            result["verifies_per_s_\(ops)op"] = round1(verifies)
            result["input_bytes_\(ops)op"] = input.count
            result["records_per_s_ceiling_\(ops)op"] = round1(verifies * Double(ops))
        }
        try emit(result)
    }
}

/// Per-thread counts written once each from `concurrentPerform`.
final class ThreadCounts: @unchecked Sendable {
    // Each slot is written by exactly one thread, and read only after concurrentPerform returns; a raw
    // buffer, because an array property would trip the exclusivity check when threads write at once.
    private let counts: UnsafeMutableBufferPointer<Int>
    init(_ n: Int) {
        counts = .allocate(capacity: n)
        counts.initialize(repeating: 0)
    }
    deinit { counts.deallocate() }
    func set(_ i: Int, _ n: Int) { counts[i] = n }
    var total: Int { counts.reduce(0, +) }
}
