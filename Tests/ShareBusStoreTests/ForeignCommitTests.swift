import Foundation
import ShareBusCore
import Testing

@testable import ShareBusStore

@Suite("a caching store sees commits of other processes")
struct ForeignCommitTests {
    @Test("a commit through another connection to the file invalidates the caches within a second; quiet files leave them alone")
    func foreignCommitInvalidates() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sharebus-foreign-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let serving = try SQLiteStore(directory: directory, cachesReads: true)
        let other = try SQLiteStore(directory: directory)
        let generations = serving.storeCaches.generations
        #expect(serving.caches != nil)
        #expect(other.caches == nil, "caching is off unless asked for")

        try await Task.sleep(for: .milliseconds(600))
        let quiet = generations.current(.identity)
        try await Task.sleep(for: .milliseconds(600))
        #expect(generations.current(.identity) == quiet, "nothing was written, yet the caches were invalidated")

        try await other.appendAudit(AuditEvent(at: Date(), actor: "system:cli", action: "test.write", target: "t", details: [:]))
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(1)
        while generations.current(.identity) == quiet, clock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(generations.current(.identity) != quiet, "another connection's commit was not noticed within a second")
        #expect(generations.current(.catalog) != 0 && generations.current(.subscriptions) != 0)
    }
}
