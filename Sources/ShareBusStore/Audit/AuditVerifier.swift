import ShareBusCore
import ShareBusCrypto
public import X509

/// Recomputes the audit hash chain and checks the bus's signed checkpoints (protocol section 8),
/// and names the first entry that was changed, removed, inserted or cut off.
///
/// The chain alone shows a change anywhere before the newest entry whose successor was left
/// alone; the checkpoints catch what rewriting the chain from some entry onwards, or cutting its
/// tail, would otherwise hide. With no bus certificate the checkpoints are compared with the log
/// but their signatures are not checked (`AuditReport.signaturesChecked` says which).
public struct AuditVerifier: Sendable {
    public var busCertificate: Certificate?

    public init(busCertificate: Certificate?) {
        self.busCertificate = busCertificate
    }

    /// Checks the store's audit log and checkpoints as of one read transaction.
    public func verify(_ store: SQLiteStore) async throws -> AuditReport {
        try await store.scanAudit(self)
    }

    /// Checks one checkpoint row against the log: its signature, that the row says what was signed,
    /// that the log still reaches its index, and that the entry there still has the signed hash.
    /// - Parameters:
    ///   - entryHash: the stored hash of entry `checkpoint.index`, nil when there is no such entry.
    ///   - lastIndex: the index of the last entry of the log, 0 when it is empty.
    package func check(_ checkpoint: Checkpoint, entryHash: String?, lastIndex: Int64) -> AuditProblem? {
        let index = checkpoint.index
        let parsed: ParsedJWS
        do {
            parsed = try JWS.parse(Array(checkpoint.jws.utf8), expectedType: BusSigner.checkpointType)
        } catch let error as ShareBusError {
            return .checkpointInvalid(index, "is not a valid \(BusSigner.checkpointType): \(error.detail)")
        } catch {
            return .checkpointInvalid(index, "is not a valid \(BusSigner.checkpointType)")
        }
        if let busCertificate, !JWS.verify(parsed, certificate: busCertificate) {
            return .checkpointInvalid(index, "is not signed by the bus certificate")
        }
        guard let payload = try? StrictJSON.parse(parsed.payload).objectValue,
            case .integer(let signedIndex) = payload["index"], let signedHash = payload["hash"]?.stringValue,
            let signedAt = payload["at"]?.stringValue
        else {
            return .checkpointInvalid(index, "does not carry {\"index\", \"hash\", \"at\"}")
        }
        guard signedIndex == index, signedHash == checkpoint.hash, signedAt == checkpoint.at else {
            return AuditProblem(
                kind: .checkpointChanged, index: index,
                description: "checkpoint \(index) was changed: its row does not match what the bus signed (index \(signedIndex))")
        }
        guard index <= lastIndex else {
            let end = lastIndex == 0 ? "the log is empty" : "the log ends at \(lastIndex)"
            return AuditProblem(kind: .truncated, index: lastIndex + 1, description: "\(end) but checkpoint \(index) was signed")
        }
        guard let entryHash else {
            return AuditProblem(kind: .missing, index: index, description: "entry \(index) is missing (checkpoint \(index) was signed over it)")
        }
        guard entryHash == checkpoint.hash else {
            return AuditProblem(
                kind: .rewritten, index: index,
                description: "entry \(index) does not match checkpoint \(index): the entries up to \(index) were rewritten after it was signed")
        }
        return nil
    }
}

/// The outcome of `AuditVerifier`: how much was checked, and the first problem if there is one.
public struct AuditReport: Sendable, Hashable {
    /// Entries checked (all of them when there is no problem).
    public var entries: Int64
    /// Checkpoints checked.
    public var checkpoints: Int
    /// Whether checkpoint signatures were verified with a bus certificate.
    public var signaturesChecked: Bool
    public var problem: AuditProblem?

    public var isIntact: Bool { problem == nil }

    public init(entries: Int64, checkpoints: Int, signaturesChecked: Bool, problem: AuditProblem?) {
        self.entries = entries
        self.checkpoints = checkpoints
        self.signaturesChecked = signaturesChecked
        self.problem = problem
    }
}

/// The first thing found wrong with the audit log, named by the entry it is found at.
public struct AuditProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The entry's content no longer gives its hash.
        case changed
        /// The entry holds the content of a neighbouring index: entries were reordered, inserted or removed.
        case misplaced
        /// An index is absent from the sequence 1, 2, 3, ...
        case missing
        /// The entry's `prevHash` is not its predecessor's hash.
        case unlinked
        /// The log ends before an index a checkpoint was signed over.
        case truncated
        /// The chain is consistent but an entry differs from the hash a checkpoint signed.
        case rewritten
        /// A checkpoint row no longer says what its signature covers.
        case checkpointChanged
        /// A checkpoint's JWS is unreadable or not the bus's signature.
        case checkpointInvalid
    }

    public var kind: Kind
    /// The entry the problem is found at (for a checkpoint's own problem, the checkpoint's index).
    public var index: Int64
    public var description: String

    public init(kind: Kind, index: Int64, description: String) {
        self.kind = kind
        self.index = index
        self.description = description
    }

    package static func checkpointInvalid(_ index: Int64, _ reason: String) -> AuditProblem {
        AuditProblem(kind: .checkpointInvalid, index: index, description: "checkpoint \(index) \(reason)")
    }
}

/// One row of the `audit` table as stored, before anything is trusted about it.
package struct StoredAuditRow: Sendable {
    var index: Int64
    var at: String?
    var actor: String?
    var action: String?
    var target: String?
    /// The canonical JSON text of `details`.
    var details: String?
    var prevHash: String?
    var hash: String?

    package init(
        index: Int64, at: String?, actor: String?, action: String?, target: String?, details: String?, prevHash: String?, hash: String?
    ) {
        self.index = index
        self.at = at
        self.actor = actor
        self.action = action
        self.target = target
        self.details = details
        self.prevHash = prevHash
        self.hash = hash
    }
}

/// Walks the chain in index order, one row at a time, keeping only the previous entry.
package struct AuditChainWalk {
    package private(set) var count: Int64 = 0
    package private(set) var lastIndex: Int64 = 0
    private var lastHash = AuditEntry.genesisHash

    /// The problem with `row`, the next row in index order, or nil when it extends the chain.
    package init() {}

    package mutating func check(_ row: StoredAuditRow) -> AuditProblem? {
        let expected = lastIndex + 1
        guard row.index == expected else {
            let description =
                row.index == expected + 1 ? "entry \(expected) is missing" : "entries \(expected) to \(row.index - 1) are missing"
            return AuditProblem(kind: .missing, index: expected, description: description)
        }
        guard let at = row.at, let actor = row.actor, let action = row.action, let target = row.target,
            let detailsText = row.details, let prevHash = row.prevHash, let hash = row.hash
        else {
            return AuditProblem(kind: .changed, index: row.index, description: "entry \(row.index) was changed: a column is empty")
        }
        guard let details = try? StrictJSON.parse(Array(detailsText.utf8)).objectValue else {
            return AuditProblem(kind: .changed, index: row.index, description: "entry \(row.index) was changed: its details are not a JSON object")
        }
        var entry = AuditEntry(
            index: row.index, at: at, actor: actor, action: action, target: target, details: details, prevHash: prevHash, hash: hash)
        if (try? CanonicalJSON.sha256Hex(entry.hashedContent)) != hash {
            // An entry moved by one place still hashes as what it was: say so rather than "changed".
            for neighbour in [row.index + 1, row.index - 1] where neighbour >= 1 {
                entry.index = neighbour
                if (try? CanonicalJSON.sha256Hex(entry.hashedContent)) == hash {
                    let description = "entry \(row.index) is out of place: it holds the content of entry \(neighbour)"
                    return AuditProblem(
                        kind: .misplaced, index: row.index, description: description + " (entries were reordered, inserted or removed)")
                }
            }
            return AuditProblem(kind: .changed, index: row.index, description: "entry \(row.index) was changed: its hash does not match its content")
        }
        guard prevHash == lastHash else {
            let previous = row.index - 1
            let description =
                row.index == 1
                ? "entry 1's prevHash is not the genesis hash (64 zeros)"
                : "entry \(row.index)'s prevHash does not match entry \(previous)"
                    + " (an entry was inserted or removed, or entry \(previous) was rewritten)"
            return AuditProblem(kind: .unlinked, index: row.index, description: description)
        }
        count += 1
        lastIndex = row.index
        lastHash = hash
        return nil
    }
}
