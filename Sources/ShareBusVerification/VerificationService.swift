import Foundation
public import ShareBusCore
public import ShareBusCrypto
public import ShareBusDelivery
public import ShareBusStore

/// Once-only verification (protocol section 7): `verify`, `materials`, `certificate` and `accessLog`.
///
/// Every answer is built in the same order: validate the whole request, find the caller's grant,
/// throttle, look up, compare blind, sign evidence, append the audit entry, answer. A request that
/// fails before the audit entry changes nothing. No stored value leaves except those the caller was
/// granted to read (materials with `query`) and the issuer of a certificate (part of the answer).
public struct VerificationService: Sendable {
    let store: any ShareBusStore
    let holders: any HolderRecordStore
    let subscriptions: SubscriptionService
    let evidence: EvidenceIssuer
    let clock: any BusClock
    public let configuration: VerificationConfiguration
    let limiter: RateLimiter
    let comparator: BlindComparator
    let subjectKey: SubjectKey
    /// Finds records by the keyed digests of their keys and holder ids, and opens them.
    let sealer: RecordSealer

    public init(
        store: any ShareBusStore, holders: any HolderRecordStore, subscriptions: SubscriptionService, signer: BusSigner,
        clock: any BusClock, subjectKey: SubjectKey, configuration: VerificationConfiguration = VerificationConfiguration(),
        sealer: RecordSealer = RecordSealer(keyring: .random())
    ) {
        self.sealer = sealer
        self.store = store
        self.holders = holders
        self.subscriptions = subscriptions
        self.evidence = EvidenceIssuer(signer: signer)
        self.clock = clock
        self.configuration = configuration
        self.limiter = RateLimiter(configuration: configuration, clock: clock)
        self.comparator = BlindComparator()
        self.subjectKey = subjectKey
    }

    // MARK: Data subjects

    /// The keyed digest naming the holder a record is about, for `AuditEvent.subject`: the record's
    /// `holderId` when its resource has one (certificates, materials), else the key itself when the
    /// primary key is a citizen id or credit code (population, legal persons); nil otherwise.
    public func subject(of resource: Resource, key: String, record: [String: JSONValue]?) -> String? {
        if resource.field(named: "holderId") != nil {
            return record?["holderId"]?.stringValue.map { subjectKey.digest(holderId: $0) }
        }
        switch resource.field(named: resource.primaryKey)?.type {
        case .citizenId, .creditCode: return subjectKey.digest(holderId: key)
        default: return nil
        }
    }

    /// The digest of a holder id, as written in `AuditEvent.subject`.
    public func subject(holderId: String) -> String {
        subjectKey.digest(holderId: holderId)
    }

    // MARK: Shared steps

    /// The caller's active subscriptions to `code` that have `permission`; `not-subscribed` when it has
    /// none at all, `subscription-not-active` when the only ones are pending, suspended or revoked.
    func grants(_ consumer: Department, resource code: String, permission: Subscription.Permission) async throws -> [Subscription] {
        let all = try await subscriptions.subscriptions(consumer: consumer.id, resource: code).filter { $0.has(permission) }
        let active = all.filter { $0.status == .active }
        guard !active.isEmpty else {
            if let inactive = all.first {
                throw ShareBusError(
                    .subscriptionNotActive, "the \(permission.rawValue) subscription \(inactive.id) to \(code) is \(inactive.status.rawValue)")
            }
            throw ShareBusError(.notSubscribed, "\(consumer.id) has no active subscription with \(permission.rawValue) permission on \(code)")
        }
        return active
    }

    /// Takes a token for `consumer` and `key` or throws `RateLimitExceeded`.
    func admit(_ consumer: Department, key: String) throws {
        let digest = Hex.encode(comparator.digest(key))
        if case .limited(let scope, let retryAfter) = limiter.admit(consumer: consumer.id, key: digest) {
            throw RateLimitExceeded(scope: scope, retryAfter: retryAfter)
        }
    }

    /// A valid holder id in its normal form, or nil.
    func validHolder(_ raw: String) -> String? {
        let id = HolderID.normalise(raw)
        return HolderID.kind(of: id, today: LocalDate(clock.now())) == nil ? nil : id
    }

    /// A stated purpose: non-empty after trimming, at most `maxPurposeLength` characters.
    func purposeProblem(_ purpose: String) -> String? {
        if purpose.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return "must not be empty" }
        if purpose.count > configuration.maxPurposeLength { return "must be at most \(configuration.maxPurposeLength) characters" }
        return nil
    }

    /// Signs `result` as evidence for `request`, appends the audit entry, and answers `result` with
    /// its `evidence`.
    func answer(
        _ result: [String: JSONValue], request: JSONValue, caller: Department, at now: Date, audit: AuditEvent
    ) async throws -> JSONValue {
        let evidence = try self.evidence.issue(request: request, result: .object(result), caller: .department(caller.id), at: now)
        var event = audit
        event.details["evidenceSha256"] = .string(EvidenceIssuer.digest(evidence))
        try await store.appendAudit(event)
        var answer = result
        answer["evidence"] = .string(evidence)
        return .object(answer)
    }

    static func record(_ text: String?) -> [String: JSONValue]? {
        guard let text else { return nil }
        return (try? StrictJSON.parse(Array(text.utf8)))?.objectValue
    }
}

/// The holder lookup of a store that cannot do it: every materials listing and check by holder fails
/// with `internal-error` rather than answering an empty list that would look like "nothing on file".
public struct UnsupportedHolderRecords: HolderRecordStore {
    public init() {}
    public func currentRecords(resource: String, holderId: String, limit: Int) async throws -> [HeldRecord] {
        throw ShareBusError(.internalError, "this store cannot find records by holder")
    }
}
