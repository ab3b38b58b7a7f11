import Foundation
import ShareBusCore
import ShareBusPostgres
import ShareBusStore
import ShareBusTesting
import Testing

@Suite("audit verify on the PostgreSQL store")
struct PostgresAuditVerifyTests {
    @Test("the shared chain verifies from one snapshot; an entry changed in the database is named")
    func verifyAndTamper() async throws {
        let cluster = try await PostgresCluster.shared()
        let url = try cluster.makeDatabase()
        let store = try await PostgresStore.open(url: url)
        defer { Task { await store.close() } }
        for number in 1...6 { try await store.appendAudit(Fixture.audit("test.step\(number)", target: "t\(number)")) }
        let verifier = AuditVerifier(busCertificate: nil)

        let clean = try await store.verifyAudit(verifier)
        #expect(clean.problem == nil, "\(String(describing: clean.problem))")
        #expect(clean.entries == 6)

        try cluster.execute("UPDATE audit SET target = 'forged' WHERE idx = 3", database: url)
        let changed = try await store.verifyAudit(verifier)
        #expect(changed.problem?.kind == .changed)
        #expect(changed.problem?.index == 3)

        try cluster.execute("UPDATE audit SET target = 't3' WHERE idx = 3", database: url)
        #expect(try await store.verifyAudit(verifier).problem == nil, "putting the entry back makes the chain whole again")
        try cluster.execute("DELETE FROM audit WHERE idx = 4", database: url)
        let missing = try await store.verifyAudit(verifier)
        #expect(missing.problem?.kind == .missing)
        #expect(missing.problem?.index == 4)
    }
}
