public import Foundation
public import ShareBusCore
public import ShareBusCrypto
public import ShareBusStore
import X509

/// A platform PKI made in code for tests; nothing is read from or written to `Certs/`.
///
/// Certificates that go over real TLS must be valid at the real time (the TLS client checks the
/// server's against the system clock), so `now` defaults to the present; tests that need an
/// expired certificate issue one with a `now` far enough in the past.
public struct TestPKI: Sendable {
    public let ca: PlatformCA
    public let server: IssuedCredential
    public let busSigning: IssuedCredential
    /// The bus's TLS client credential for push delivery (EKU clientAuth, SAN `urn:sharebus:bus`).
    public let busClient: IssuedCredential

    public init(now: Date = Date()) throws {
        ca = try PlatformCA.create(organization: "sharebus test", now: now)
        server = try ca.issueP256(profile: .server(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1", "::1"]), now: now, validityDays: 30)
        busSigning = try ca.issueP256(profile: .busSigning, now: now, validityDays: 30)
        busClient = try ca.issueP256(profile: .busClient, now: now, validityDays: 30)
    }

    public func department(_ id: String, name: String? = nil, now: Date = Date(), validityDays: Int = 30) throws -> IssuedCredential {
        try ca.issueP256(profile: .department(id: id, name: name ?? "Department \(id)"), now: now, validityDays: validityDays)
    }

    public func `operator`(_ id: String, now: Date = Date()) throws -> IssuedCredential {
        try ca.issueP256(profile: .operator(id: id), now: now, validityDays: 30)
    }

    /// Files a credential in the store as the CLI does when it issues one.
    public static func record(_ credential: IssuedCredential, kind: CertificateRecord.Kind = .client, in store: any ShareBusStore)
        async throws
    {
        let record = CertificateRecord(credential.certificate, kind: kind)
        try await store.recordCertificate(
            record, audit: AuditEvent(at: Date(), actor: "system:test", action: "certificate.issue", target: record.serial))
    }
}

/// Departments with valid GB 32100 credit codes, for tests.
public enum TestDepartments {
    /// A valid credit code for organ number `n` (0-99) of division 640100.
    public static func creditCode(_ n: Int) -> String {
        let organization = String(format: "MA%06d", n)
        let weights = [3, 7, 9, 10, 5, 8, 4, 2]
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let values = organization.map { alphabet.firstIndex(of: $0)! }
        let c = 11 - zip(values, weights).map { $0 * $1 }.reduce(0, +) % 11
        let orgCheck = c == 10 ? "X" : (c == 11 ? "0" : String(c))
        let first17 = "91640100" + organization + orgCheck
        return first17 + String(CreditCode.checkCharacter(for: first17)!)
    }

    public static func make(_ id: String, roles: [Department.Role], number: Int) -> Department {
        Department(
            id: id, name: "测试部门 \(id)", creditCode: creditCode(number), level: .municipal, division: "640100", roles: roles,
            createdAt: "2026-11-22T00:00:00Z")
    }
}
