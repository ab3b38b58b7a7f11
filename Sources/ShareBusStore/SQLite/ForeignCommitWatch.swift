import Foundation
import GRDB

/// Notices commits made to the store file by other processes (`sharebus pki revoke`,
/// `dept suspend`, `catalog import` beside a running `serve`) and invalidates every cache.
///
/// `PRAGMA data_version` on a connection of its own changes whenever any other connection
/// committed, this process's writer included; the watch cannot tell whose commit it was, so any
/// change bumps every domain of `ChangeGenerations`. Commits of this process are seen at once by
/// `ChangeGenerationObserver`; others within one `interval`. Under steady writes the caches are
/// refilled once per interval, which is what they cost.
final class ForeignCommitWatch: Sendable {
    /// How often the file is asked. Default 200 ms: a CLI revocation bites well within a second.
    static let defaultInterval = Duration.milliseconds(200)

    private let task: Task<Void, Never>

    init(path: String, generations: ChangeGenerations, interval: Duration = ForeignCommitWatch.defaultInterval) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(1)
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        task = Task.detached(priority: .utility) {
            var seen: Int? = nil
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let version = try? await connection.read({ db in try Int.fetchOne(db, sql: "PRAGMA data_version") }) else {
                    continue
                }
                if let seen, version != seen {
                    for domain in ChangeGenerations.Domain.allCases { generations.bump(domain) }
                }
                seen = version
            }
        }
    }

    func stop() {
        task.cancel()
    }
}
