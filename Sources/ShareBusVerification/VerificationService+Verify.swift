public import ShareBusCore
import ShareBusStore

extension VerificationService {
    /// `POST /v1/verify`: whether each claimed field equals the stored one, as `match`, `mismatch` or
    /// `not-found` with a boolean per field, and evidence. Never a stored value.
    public func verify(_ body: JSONValue, caller: Department) async throws -> JSONValue {
        let request = try VerifyRequest.parse(body, configuration: configuration)
        // Throttled before anything is read, so a refused request costs no database work. The key is
        // taken in its id form (text normalisation, upper case) whatever the resource: the same for id
        // keys as below, and for text keys a bucket shared by keys differing only in case (stricter).
        try admit(caller, key: request.resource + "\u{0}" + HolderID.normalise(request.key))
        let resource = try await subscriptions.definition(request.resource)
        var problems = RequestProblems()
        var claims: [(name: String, field: Resource.Field, normal: String)] = []
        for claim in request.claims {
            let pointer = "/claims/" + JSONPointer.escape(claim.field)
            guard let field = resource.field(named: claim.field) else {
                problems.add(pointer, "unknown field of \(resource.code)")
                continue
            }
            guard let normal = ClaimNormaliser.normalise(claim.value, type: field.type) else {
                problems.add(pointer, "a field of type \(field.type.rawValue) cannot be verified")
                continue
            }
            claims.append((claim.field, field, normal))
        }
        let key = Self.normaliseKey(request.key, resource: resource)
        for problem in RecordValidator.validateKey(key, resource: resource, path: "/key") { problems.add(problem.pointer, problem.reason) }
        try problems.check()

        let grants = try await grants(caller, resource: resource.code, permission: .verify)
        let claimed = claims.map(\.name)
        guard let subscription = grants.first(where: { Set(claimed).isSubset(of: $0.visibleFields(resource: resource)) }) else {
            let visible = Set(grants[0].visibleFields(resource: resource))
            let missing = claimed.filter { !visible.contains($0) }
            throw ShareBusError(
                .fieldNotGranted,
                "\(missing.joined(separator: ", ")) of \(resource.code) \(missing.count == 1 ? "is" : "are") not granted to \(caller.id) (subscription \(grants[0].id))",
                problems: missing.map { FieldProblem(pointer: "/claims/" + JSONPointer.escape($0), reason: "field \($0) is not granted") })
        }

        let record = try await sealer.currentRecord(in: store, resource: resource, key: key)
        // Every claim is compared, found or not, each against a dummy when there is no stored value.
        var fields: [String: JSONValue] = [:]
        var all = true
        for claim in claims {
            let stored = record?[claim.name].flatMap { ClaimNormaliser.normalise($0, type: claim.field.type) }
            let same = comparator.equal(claim.normal, stored)
            fields[claim.name] = .bool(same)
            all = all && same
        }
        let outcome = record == nil ? "not-found" : (all ? "match" : "mismatch")
        let now = clock.now()
        let audit = AuditEvent(
            at: now, actor: "dept:\(caller.id)", action: "verification.verify", target: resource.code,
            details: [
                "resource": .string(resource.code), "subscription": .string(subscription.id), "purpose": .string(request.purpose),
                "result": .string(outcome), "fields": .object(fields),
            ],
            subject: subject(of: resource, key: key, record: record))
        return try await answer(["result": .string(outcome), "fields": .object(fields)], request: body, caller: caller, at: now, audit: audit)
    }

    /// A key in the form records are stored under: text normalisation, and upper case for ids.
    static func normaliseKey(_ key: String, resource: Resource) -> String {
        switch resource.field(named: resource.primaryKey)?.type {
        case .citizenId, .creditCode: HolderID.normalise(key)
        default: ClaimNormaliser.text(key)
        }
    }
}
