import ArgumentParser
import Foundation
import ShareBusVerification

/// `serve`'s once-only verification throttle flags; each default is `VerificationConfiguration`'s,
/// and each can also come from the environment.
struct VerificationOptions: ParsableArguments {
    @Option(help: "Verification requests a second each consumer department may make, on average (env SHAREBUS_VERIFY_RATE).")
    var verifyRate: Double = Self.environment("SHAREBUS_VERIFY_RATE") ?? VerificationConfiguration().consumerRatePerSecond
    @Option(help: "Verification requests a consumer department may make at once (env SHAREBUS_VERIFY_BURST).")
    var verifyBurst: Double = Self.environment("SHAREBUS_VERIFY_BURST") ?? VerificationConfiguration().consumerBurst
    @Option(
        help: "Verification requests a minute a consumer may make about one key (holder, record key, certificate number), on average (env SHAREBUS_VERIFY_KEY_RATE)."
    )
    var verifyKeyRate: Double = Self.environment("SHAREBUS_VERIFY_KEY_RATE") ?? VerificationConfiguration().keyRatePerMinute
    @Option(help: "Verification requests about one key a consumer may make at once (env SHAREBUS_VERIFY_KEY_BURST).")
    var verifyKeyBurst: Double = Self.environment("SHAREBUS_VERIFY_KEY_BURST") ?? VerificationConfiguration().keyBurst

    static func environment(_ name: String) -> Double? {
        ProcessInfo.processInfo.environment[name].flatMap(Double.init)
    }

    /// The configuration these flags describe.
    func configuration() throws -> VerificationConfiguration {
        guard verifyRate > 0, verifyKeyRate > 0, verifyBurst >= 1, verifyKeyBurst >= 1 else {
            throw CLIError("--verify-rate and --verify-key-rate must be above 0, --verify-burst and --verify-key-burst at least 1")
        }
        var configuration = VerificationConfiguration()
        configuration.consumerRatePerSecond = verifyRate
        configuration.consumerBurst = verifyBurst
        configuration.keyRatePerMinute = verifyKeyRate
        configuration.keyBurst = verifyKeyBurst
        return configuration
    }
}
