import Foundation
import ShareBusCore
import ShareBusCrypto
import ShareBusStore
import ShareBusVerification
import X509

/// The steps that set up a platform, shared by the subcommands and `serve --dev`.
struct Provisioning {
    let pki: PKIDirectory
    let store: any ShareBusStore
    let clock: any BusClock = SystemClock()

    /// Days a client or server certificate is valid.
    static let leafValidityDays = 825

    /// Creates the CA, the bus's server certificate and its signing certificate.
    func initialisePKI(dnsNames: [String], ipAddresses: [String]) async throws -> PlatformCA {
        guard !pki.exists else { throw CLIError("a platform CA already exists in \(pki.root)") }
        let ca = try PlatformCA.create(organization: "sharebus", now: clock.now())
        try pki.writeFile(ca.certificatePEM, to: pki.caCertificate, mode: 0o644)
        try pki.writeFile(ca.privateKeyPEM, to: pki.caKey, mode: 0o600)
        try await issueServer(ca: ca, dnsNames: dnsNames, ipAddresses: ipAddresses)
        let signing = try ca.issueP256(profile: .busSigning, now: clock.now(), validityDays: 3650)
        try pki.write(signing, certificate: pki.busCertificate, key: pki.busKey)
        try await record(signing, kind: .busSigning, principal: "urn:sharebus:bus", action: "certificate.issue")
        // Keys the data-subject digests of the audit log: kept here, outside the database.
        _ = try SubjectKey.loadOrCreate(atPath: pki.path(ShareBusVerification.subjectKeyFile))
        try await issueBusClient(ca: ca)
        return ca
    }

    /// The bus's TLS client credential, presented to webhook servers by push delivery.
    func issueBusClient(ca: PlatformCA) async throws {
        let client = try ca.issueP256(profile: .busClient, now: clock.now(), validityDays: Self.leafValidityDays)
        try pki.write(client, certificate: pki.busClientCertificate, key: pki.busClientKey)
        try await record(client, kind: .client, principal: CertificateProfile.busURI, action: "certificate.issue")
    }

    func issueServer(ca: PlatformCA, dnsNames: [String], ipAddresses: [String]) async throws {
        let server = try ca.issueP256(
            profile: .server(dnsNames: dnsNames, ipAddresses: ipAddresses), now: clock.now(), validityDays: Self.leafValidityDays)
        try pki.write(server, certificate: pki.serverCertificate, key: pki.serverKey)
        try await record(server, kind: .server, principal: "urn:sharebus:bus", action: "certificate.issue")
    }

    /// Registers a department and issues its client certificate into `departments/<id>/`.
    func addDepartment(_ department: Department, ca: PlatformCA) async throws {
        let problems = DepartmentValidator.validate(department)
        guard problems.isEmpty else { throw ShareBusError.invalidDepartment(problems) }
        try await store.createDepartment(
            department,
            audit: AuditEvent(
                at: clock.now(), actor: cliActor, action: "department.create", target: department.id,
                details: ["roles": .array(department.roles.map { .string($0.rawValue) })]))
        try await issueDepartmentCertificate(department, ca: ca)
    }

    func issueDepartmentCertificate(_ department: Department, ca: PlatformCA) async throws {
        let credential = try ca.issueP256(
            profile: .department(id: department.id, name: department.name), now: clock.now(), validityDays: Self.leafValidityDays)
        let directory = pki.departmentDirectory(department.id)
        try pki.write(credential, certificate: directory + "/cert.pem", key: directory + "/key.pem")
        try await record(credential, kind: .client, principal: Principal.department(department.id).uri, action: "certificate.issue")
    }

    func addOperator(_ id: String, ca: PlatformCA) async throws {
        guard DepartmentID.isValid(id) else { throw CLIError("operator id \(id) must match [a-z0-9][a-z0-9.-]{1,63}") }
        let credential = try ca.issueP256(profile: .operator(id: id), now: clock.now(), validityDays: Self.leafValidityDays)
        let directory = pki.operatorDirectory(id)
        try pki.write(credential, certificate: directory + "/cert.pem", key: directory + "/key.pem")
        try await record(credential, kind: .client, principal: Principal.operator(id).uri, action: "certificate.issue")
    }

    private func record(_ credential: IssuedCredential, kind: CertificateRecord.Kind, principal: String, action: String) async throws {
        let record = CertificateRecord(credential.certificate, kind: kind, principal: principal)
        try await store.recordCertificate(
            record,
            audit: AuditEvent(
                at: clock.now(), actor: cliActor, action: action, target: record.serial,
                details: ["principal": .string(principal), "kind": .string(kind.rawValue), "fingerprint": .string(record.fingerprint)]))
    }
}
