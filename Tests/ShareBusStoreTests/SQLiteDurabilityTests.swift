import Foundation
import GRDB
import Testing

@testable import ShareBusStore

@Suite("the SQLite store flushes every commit")
struct SQLiteDurabilityTests {
    @Test("the writer connection runs with synchronous = FULL, not the NORMAL that WAL mode set up")
    func writerIsFull() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sharebus-sync-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        let mode = try await store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        // 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
        #expect(mode == 2)
    }
}
