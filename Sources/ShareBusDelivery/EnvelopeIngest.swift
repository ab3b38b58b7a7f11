public import Foundation
import Crypto
public import ShareBusCore
public import ShareBusCrypto
public import ShareBusStore
import Synchronization
import X509

/// `POST /v1/envelopes`: every check of protocol section 3, in its order, then one durable write.
///
/// Nothing is written until every check has passed; a failure names its own problem code.
public final class EnvelopeIngest: Sendable {
    public struct Configuration: Sendable {
        /// Largest accepted body. Default 4 MiB.
        public var maxBodySize = 4 * 1024 * 1024
        /// Largest allowed distance between `createdAt` and the bus clock. Default 300 s.
        public var maxClockSkew: TimeInterval = 300
        /// Most operations in one envelope. Default 1000.
        public var maxOperations = 1000
        public init() {}
    }

    public static let envelopeType = "sharebus-envelope+jws"

    let store: any ShareBusStore
    let signer: BusSigner
    let notifier: LogNotifier
    let clock: any BusClock
    let configuration: Configuration
    let metrics: BusMetrics
    /// Seals L3/L4 values and protected keys before the store sees them.
    let sealer: RecordSealer
    /// Parsed signer certificates by fingerprint; whether one is current is asked of the store each time.
    private let certificates = Mutex<[String: Certificate]>([:])

    public init(
        store: any ShareBusStore, signer: BusSigner, notifier: LogNotifier, clock: any BusClock, configuration: Configuration = .init(),
        metrics: BusMetrics = .disabled, sealer: RecordSealer = RecordSealer(keyring: .random())
    ) {
        self.metrics = metrics
        self.sealer = sealer
        self.store = store
        self.signer = signer
        self.notifier = notifier
        self.clock = clock
        self.configuration = configuration
    }

    public enum Result: Sendable {
        case created(receipt: String)
        case duplicate(receipt: String)
    }

    /// Checks and stores the envelope `body` sent by department `caller`.
    public func ingest(_ body: [UInt8], caller: String) async throws -> Result {
        guard body.count <= configuration.maxBodySize else {
            throw ShareBusError(.payloadTooLarge, "an envelope is at most \(configuration.maxBodySize) bytes")
        }
        let jws = try JWS.parse(body, expectedType: Self.envelopeType)
        let certificate = try await signingCertificate(jws.header, caller: caller)
        guard JWS.verify(jws, publicKey: certificate.publicKey) else {
            throw ShareBusError(.badSignature, "the signature does not verify with the certificate named by x5t#S256")
        }
        let message = try EnvelopeMessage.parse(jws.payload)
        guard message.sender == caller else {
            throw ShareBusError(.senderMismatch, "the message's sender \(message.sender) is not the caller \(caller)")
        }
        let digest = Hex.encode(SHA256.hash(data: jws.payload))
        // A resend of an accepted envelope answers its receipt, even once createdAt has aged.
        if let existing = try await store.existingEnvelope(sender: message.sender, id: message.id) {
            guard existing.payloadSHA256 == digest else {
                throw ShareBusError(.replayedEnvelope, "envelope \(message.id) was already accepted with a different payload")
            }
            metrics.envelopeDuplicate()
            return .duplicate(receipt: existing.receipt)
        }
        let now = clock.now()
        guard abs(message.createdAt.timeIntervalSince(now)) <= configuration.maxClockSkew else {
            throw ShareBusError(
                .clockSkew, "createdAt \(Timestamp.format(message.createdAt)) is more than \(Int(configuration.maxClockSkew)) s from the bus clock \(Timestamp.format(now))")
        }
        let resource = try await publishedResource(message.resource, sender: message.sender)
        guard (1...configuration.maxOperations).contains(message.operations.count) else {
            throw ShareBusError(.badOperationCount, "an envelope carries 1 to \(configuration.maxOperations) operations, this one \(message.operations.count)")
        }
        // Validated in the clear, stored sealed: the payload digest stays the one over what the sender signed.
        let operations = try EnvelopeMessage.validate(message.operations, against: resource)
            .map { try sealer.seal($0, resource: resource) }
        let envelope = AcceptedEnvelope(
            id: message.id, sender: message.sender, resource: resource.code, payloadSHA256: digest, operations: operations, acceptedAt: now)
        let audit = AuditEvent(
            at: now, actor: "dept:\(caller)", action: "envelope.accept", target: resource.code,
            details: [
                "envelopeId": .string(message.id), "operations": .integer(Int64(operations.count)), "payloadSha256": .string(digest),
            ])
        let signer = self.signer
        let outcome = try await store.accept(envelope, audit: audit) { payload in
            try signer.sign(payload.json, type: BusSigner.receiptType)
        }
        switch outcome {
        case .accepted(let receipt, _):
            await notifier.notify(resource.code)
            metrics.envelopeAccepted(operations: operations.count)
            return .created(receipt: receipt)
        case .duplicate(let receipt):
            metrics.envelopeDuplicate()
            return .duplicate(receipt: receipt)
        }
    }

    /// The certificate named by `x5t#S256`: one the platform issued to the caller, and current now.
    func signingCertificate(_ header: JWSHeader, caller: String) async throws -> Certificate {
        let fingerprint = Hex.encode(header.certificateSHA256)
        guard let record = try await store.certificate(fingerprint: fingerprint),
            record.kind == .client || record.kind == .signing,
            record.principal == Principal.department(caller).uri
        else {
            throw ShareBusError(.unknownCertificate, "x5t#S256 names no certificate of department \(caller)")
        }
        guard record.isCurrent(at: clock.now()) else {
            let state = record.revokedAt == nil ? "expired" : "revoked"
            throw ShareBusError(.unknownCertificate, "the signing certificate \(record.serial) is \(state)")
        }
        if let cached = certificates.withLock({ $0[fingerprint] }) { return cached }
        let certificate = try Certificate(pemEncoded: record.pem)
        certificates.withLock { $0[fingerprint] = certificate }
        return certificate
    }

    /// The newest published version of `code`, provided by `sender`.
    func publishedResource(_ code: String, sender: String) async throws -> Resource {
        let versions = try await CatalogService.resourceVersions(code: code, in: store)
        guard !versions.isEmpty else { throw ShareBusError(.resourceNotFound, "no resource \(code)") }
        guard let resource = versions.last(where: { $0.status == .published }), versions.last?.status != .retired else {
            throw ShareBusError(.resourceNotPublished, "resource \(code) is not published")
        }
        guard resource.provider == sender else {
            throw ShareBusError(.notProvider, "\(sender) is not the provider of \(code)")
        }
        return resource
    }
}
