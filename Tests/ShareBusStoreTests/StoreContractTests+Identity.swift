import Foundation
import ShareBusCore
import ShareBusStore
import Testing

extension StoreContractTests {
    @Test("departments: created once per id and credit code, listed in id order, suspended and resumed", arguments: StoreKind.allCases)
    func departments(kind: StoreKind) async throws {
        try await kind.withStore { store in
            try await store.createDepartment(Fixture.department("yc.tax", creditCode: "C2"), audit: Fixture.audit("department.create"))
            try await store.createDepartment(Fixture.department("yc.psb", creditCode: "C1"), audit: Fixture.audit("department.create"))
            #expect(try await store.department(id: "yc.psb") == Fixture.department("yc.psb", creditCode: "C1"))
            #expect(try await store.department(id: "nope") == nil)
            let sameId = await #expect(throws: ShareBusError.self) {
                try await store.createDepartment(Fixture.department("yc.psb", creditCode: "C9"), audit: Fixture.audit("department.create"))
            }
            #expect(sameId?.code == .alreadyExists)
            let sameCode = await #expect(throws: ShareBusError.self) {
                try await store.createDepartment(Fixture.department("yc.new", creditCode: "C1"), audit: Fixture.audit("department.create"))
            }
            #expect(sameCode?.code == .alreadyExists)
            #expect(try await store.departments(limit: 10, after: nil).map(\.id) == ["yc.psb", "yc.tax"])
            #expect(try await store.departments(limit: 10, after: "yc.psb").map(\.id) == ["yc.tax"])
            #expect(try await store.departments(limit: 1, after: nil).map(\.id) == ["yc.psb"])
            let suspended = try await store.setDepartmentStatus(id: "yc.tax", status: .suspended, audit: Fixture.audit("department.suspend"))
            #expect(suspended.status == .suspended && suspended.roles == [.consumer, .provider])
            #expect(try await store.department(id: "yc.tax")?.status == .suspended)
            let missing = await #expect(throws: ShareBusError.self) {
                try await store.setDepartmentStatus(id: "nope", status: .active, audit: Fixture.audit("department.resume"))
            }
            #expect(missing?.code == .departmentNotFound)
            #expect(try await Fixture.verifiedChain(store).count == 3)
        }
    }

    @Test("certificates: found by fingerprint and serial in any case, by principal in order; revoked once; CRL numbers count up", arguments: StoreKind.allCases)
    func certificates(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let first = Fixture.certificate("0a", notBefore: Fixture.t0)
            let second = Fixture.certificate("0b", notBefore: Fixture.t0 - 86_400)
            let other = Fixture.certificate("0c", principal: "urn:sharebus:dept:p2")
            for record in [first, second, other] { try await store.recordCertificate(record, audit: Fixture.audit("certificate.issue")) }
            #expect(try await store.certificate(fingerprint: "F0A") == first)
            #expect(try await store.certificate(serial: "0A") == first)
            #expect(try await store.certificate(serial: "ff") == nil)
            #expect(try await store.certificates(principal: "urn:sharebus:dept:p1") == [second, first])
            #expect(try await store.revokedCertificates().isEmpty)
            let revoked = try await store.revokeCertificate(serial: "0B", reason: "keyCompromise", audit: Fixture.audit("certificate.revoke"))
            #expect(revoked.revokedAt == Fixture.t0 && revoked.revocationReason == "keyCompromise")
            #expect(try await store.certificate(serial: "0b") == revoked)
            #expect(try await store.revokedCertificates() == [revoked])
            #expect(try await !#require(try await store.certificate(serial: "0b")).isCurrent(at: Fixture.t0))
            let twice = await #expect(throws: ShareBusError.self) {
                try await store.revokeCertificate(serial: "0b", reason: "again", audit: Fixture.audit("certificate.revoke"))
            }
            #expect(twice?.code == .invalidState)
            let unknown = await #expect(throws: ShareBusError.self) {
                try await store.revokeCertificate(serial: "ff", reason: "x", audit: Fixture.audit("certificate.revoke"))
            }
            #expect(unknown?.code == .certificateNotFound)
            #expect(try await store.nextCRLNumber() == 1)
            #expect(try await store.nextCRLNumber() == 2)
            #expect(try await Fixture.verifiedChain(store).count == 4)
        }
    }
}
