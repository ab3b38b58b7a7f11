public import ShareBusCore
import ShareBusStore

extension VerificationService {
    /// `POST /v1/certificates/verify`: whether the certificate exists, is current, who issued it and,
    /// given a `sha256`, whether the file in hand is the one on record; with evidence.
    public func certificate(_ body: JSONValue, caller: Department) async throws -> JSONValue {
        let request = try CertificateRequest.parse(body, configuration: configuration)
        let resource = try await certificateResource(request.type)
        var problems = RequestProblems()
        var lookupKey = ""
        switch request.lookup {
        case .number(let number):
            lookupKey = Self.normaliseKey(number, resource: resource)
            for problem in RecordValidator.validateKey(lookupKey, resource: resource, path: "/number") {
                problems.add(problem.pointer, problem.reason)
            }
        case .holder(let holder):
            if let id = validHolder(holder) {
                lookupKey = id
            } else {
                problems.add("/holderId", "must be a citizen id (GB 11643) or a unified social credit code (GB 32100)")
            }
        }
        try problems.check()
        let subscription = try await grants(caller, resource: resource.code, permission: .verify)[0]
        let isNumber: Bool
        if case .number = request.lookup { isNumber = true } else { isNumber = false }
        try admit(caller, key: resource.code + "\u{0}" + (isNumber ? "number\u{0}" : "holder\u{0}") + lookupKey)

        var records: [(record: [String: JSONValue], sequence: Int64)] = []
        if isNumber {
            if let record = try await sealer.currentRecord(in: store, resource: resource, key: lookupKey) { records.append((record, 0)) }
        } else {
            let held = try await sealer.heldRecords(
                in: holders, resource: resource, holderId: lookupKey, limit: configuration.maxMaterialsPerResource)
            records += held.map { ($0.record, $0.sequence) }
        }
        let now = clock.now()
        let chosen = HolderResources.choose(records, today: LocalDate(now))
        let current = chosen.map { HolderResources.isCurrent($0, today: LocalDate(now)) } ?? false
        var fileMatches: JSONValue = .null
        if let sha256 = request.sha256 {
            let stored = chosen?["fileSha256"]?.stringValue.map { ClaimNormaliser.text($0).lowercased() }
            fileMatches = .bool(comparator.equal(sha256, stored))
        }
        let result: [String: JSONValue] = [
            "exists": .bool(chosen != nil), "current": .bool(current), "issuer": chosen?["issuer"] ?? .null, "fileMatches": fileMatches,
        ]
        let subject: String? = isNumber ? chosen?["holderId"]?.stringValue.map { subjectKey.digest(holderId: $0) } : self.subject(holderId: lookupKey)
        let audit = AuditEvent(
            at: now, actor: "dept:\(caller.id)", action: "verification.certificate", target: resource.code,
            details: [
                "resource": .string(resource.code), "subscription": .string(subscription.id),
                "purpose": .string(request.purpose ?? subscription.purpose), "by": .string(isNumber ? "number" : "holderId"),
                "exists": result["exists"]!, "current": result["current"]!, "fileMatches": fileMatches,
            ],
            subject: subject)
        return try await answer(result, request: body, caller: caller, at: now, audit: audit)
    }

    /// The e-certificate resource `type` names: its code (`cert.business-licence`) or the code without
    /// its `cert.` prefix (`business-licence`).
    func certificateResource(_ type: String) async throws -> Resource {
        let code = type.contains(".") ? type : "cert." + type
        let resource = try await subscriptions.definition(code)
        guard HolderResources.kind(of: resource) == .certificate else {
            throw ShareBusError(
                .invalidVerification, "\(code) is not an e-certificate resource",
                problems: [FieldProblem(pointer: "/type", reason: "must name an e-certificate resource")])
        }
        return resource
    }
}
