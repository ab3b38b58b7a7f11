import Foundation
import ShareBusCore
import ShareBusCrypto

/// How long the scenarios run: `make test` runs the short versions; `make reliability` sets
/// `SHAREBUS_RELIABILITY=full` for the long ones and `SHAREBUS_RELIABILITY_REPORT=<folder>` for the figures
/// that scripts/reliability-report.py renders into docs/reliability.md.
enum ReliabilityRun {
    static var isFull: Bool { ProcessInfo.processInfo.environment["SHAREBUS_RELIABILITY"] == "full" }

    /// `quick` in `make test`, `full` under `make reliability`.
    static func scale<T>(quick: T, full: T) -> T { isFull ? full : quick }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The figures of one scenario, written as `<folder>/<id>.json` when a report folder is set.
    struct Figures: Sendable {
        var id: String
        var title: String
        /// What was done, in a sentence or two.
        var method: String
        var attempted = 0
        var acknowledged = 0
        var delivered = 0
        var lost = 0
        /// Other things measured, shown as "name: value".
        var notes: [String: String] = [:]
        var passed = true

        init(id: String, title: String, method: String) {
            self.id = id
            self.title = title
            self.method = method
        }

        mutating func take(_ verdict: HistoryChecker.Verdict) {
            attempted += verdict.attempted
            acknowledged += verdict.acknowledged
            delivered += verdict.delivered
            lost += verdict.lost.count
            passed = passed && verdict.isValid
        }
    }

    /// Writes the figures if a report folder is set; `passed` is false when the test recorded any issue.
    static func report(_ figures: Figures) {
        guard let folder = ProcessInfo.processInfo.environment["SHAREBUS_RELIABILITY_REPORT"], !folder.isEmpty else { return }
        let json: JSONValue = .object([
            "id": .string(figures.id), "title": .string(figures.title), "method": .string(figures.method),
            "mode": .string(isFull ? "full" : "quick"), "attempted": .integer(Int64(figures.attempted)),
            "acknowledged": .integer(Int64(figures.acknowledged)), "delivered": .integer(Int64(figures.delivered)),
            "lost": .integer(Int64(figures.lost)), "passed": .bool(figures.passed),
            "notes": .object(figures.notes.mapValues { .string($0) }),
        ])
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if let bytes = try? CanonicalJSON.serialize(json) {
            try? Data(bytes).write(to: URL(fileURLWithPath: folder).appendingPathComponent("\(figures.id).json"))
        }
    }
}
