import Foundation
import Hummingbird
import ShareBusCore
import ShareBusStore

extension BusRouter {
    func addDepartmentRoutes(_ env: BusEnvironment) {
        on(.get, "/v1/departments") { request, _ in
            let limit = try RequestReading.limit(request, fallback: 100, maximum: env.configuration.maxPageSize)
            let after = request.uri.queryParameters.get("after")
            let departments = try await env.store.departments(limit: limit, after: after)
            return try JSONResponse.make(DepartmentList(departments: departments, next: departments.count == limit ? departments.last?.id : nil))
        }
        on(.get, "/v1/departments/{id}") { _, context in
            let id = try RequestReading.parameter("id", context)
            guard let department = try await env.store.department(id: id) else {
                throw ShareBusError(.departmentNotFound, "no department \(id)")
            }
            let certificates = try await env.store.certificates(principal: Principal.department(id).uri)
            return try JSONResponse.make(DepartmentDetail(department, certificates: certificates, now: env.clock.now()))
        }
        for (verb, status) in [("suspend", Department.Status.suspended), ("resume", .active)] {
            on(.post, "/v1/departments/{id}/\(verb)") { _, context in
                let operatorID = try context.requireOperator()
                let id = try RequestReading.parameter("id", context)
                let audit = AuditEvent(at: env.clock.now(), actor: "operator:\(operatorID)", action: "department.\(verb)", target: id)
                let department = try await env.store.setDepartmentStatus(id: id, status: status, audit: audit)
                return try JSONResponse.make(department)
            }
        }
    }
}

struct DepartmentList: Encodable {
    var departments: [Department]
    /// The `after` value of the next page, when there may be one.
    var next: String?
}

/// A department with the certificates issued to it (never keys).
struct DepartmentDetail: Encodable {
    struct IssuedCertificate: Encodable {
        var serial: String
        var fingerprint: String
        var kind: String
        var notBefore: String
        var notAfter: String
        var status: String
    }

    var department: Department
    var certificates: [IssuedCertificate]

    init(_ department: Department, certificates: [CertificateRecord], now: Date) {
        self.department = department
        self.certificates = certificates.map {
            IssuedCertificate(
                serial: $0.serial, fingerprint: $0.fingerprint, kind: $0.kind.rawValue, notBefore: Timestamp.format($0.notBefore),
                notAfter: Timestamp.format($0.notAfter),
                status: $0.revokedAt != nil ? "revoked" : ($0.isCurrent(at: now) ? "current" : "expired"))
        }
    }

    func encode(to encoder: any Encoder) throws {
        try department.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(certificates, forKey: .certificates)
    }

    enum CodingKeys: String, CodingKey { case certificates }
}
