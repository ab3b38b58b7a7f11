/// Every problem code the bus can answer, in one table.
///
/// Codes are stable: clients match on them. `docs/errors.md` lists the same table and a test
/// keeps the two in agreement. Add a code here, with its status and title, before using it.
public enum ProblemCode: String, Sendable, CaseIterable, Codable {
    // Transport, routing and request form
    case notFound = "not-found"
    case methodNotAllowed = "method-not-allowed"
    case payloadTooLarge = "payload-too-large"
    case headerTooLarge = "header-too-large"
    case unsupportedMediaType = "unsupported-media-type"
    case malformedRequest = "malformed-request"
    case invalidParameter = "invalid-parameter"

    // Identity and authorization
    case unauthenticated = "unauthenticated"
    case certificateRevoked = "certificate-revoked"
    case forbidden = "forbidden"
    case departmentSuspended = "department-suspended"

    // Departments and PKI
    case departmentNotFound = "department-not-found"
    case invalidDepartment = "invalid-department"
    case certificateNotFound = "certificate-not-found"

    // Catalog
    case resourceNotFound = "resource-not-found"
    case invalidResource = "invalid-resource"
    case alreadyExists = "already-exists"
    case invalidState = "invalid-state"
    case incompatibleChange = "incompatible-change"

    // Signed envelopes (JWS)
    case malformedJWS = "malformed-jws"
    case invalidJWSHeader = "invalid-jws-header"
    case badSignature = "bad-signature"
    case unknownCertificate = "unknown-certificate"
    case malformedMessage = "malformed-message"
    case senderMismatch = "sender-mismatch"
    case clockSkew = "clock-skew"
    case resourceNotPublished = "resource-not-published"
    case notProvider = "not-provider"
    case badOperationCount = "bad-operation-count"
    case schemaViolation = "schema-violation"
    case replayedEnvelope = "replayed-envelope"

    // Subscriptions and delivery
    case notShareable = "not-shareable"
    case invalidSubscription = "invalid-subscription"
    case subscriptionNotFound = "subscription-not-found"
    case notSubscribed = "not-subscribed"
    case subscriptionNotActive = "subscription-not-active"
    case ackOutOfRange = "ack-out-of-range"
    case recordNotFound = "record-not-found"
    case invalidWebhookURL = "invalid-webhook-url"
    case deadLetterNotFound = "dead-letter-not-found"

    // Verification
    case fieldNotGranted = "field-not-granted"
    case invalidVerification = "invalid-verification"
    case rateLimited = "rate-limited"

    // Server side
    case notReady = "not-ready"
    case storageUnavailable = "storage-unavailable"
    case internalError = "internal-error"

    /// The HTTP status answered with this code.
    public var status: Int {
        switch self {
        case .notFound, .departmentNotFound, .certificateNotFound, .resourceNotFound, .subscriptionNotFound, .recordNotFound,
            .deadLetterNotFound:
            404
        case .methodNotAllowed: 405
        case .payloadTooLarge: 413
        case .headerTooLarge: 431
        case .unsupportedMediaType: 415
        case .malformedRequest, .invalidParameter, .malformedJWS, .invalidJWSHeader, .badSignature, .malformedMessage, .clockSkew:
            400
        case .unauthenticated, .certificateRevoked: 401
        case .forbidden, .departmentSuspended, .unknownCertificate, .senderMismatch, .notProvider, .notShareable, .notSubscribed,
            .fieldNotGranted:
            403
        case .invalidDepartment, .invalidResource, .badOperationCount, .schemaViolation, .invalidSubscription,
            .invalidWebhookURL, .invalidVerification:
            422
        case .rateLimited: 429
        case .alreadyExists, .invalidState, .incompatibleChange, .resourceNotPublished, .replayedEnvelope, .subscriptionNotActive,
            .ackOutOfRange:
            409
        case .notReady, .storageUnavailable: 503
        case .internalError: 500
        }
    }

    /// A short, human summary that does not change from one occurrence to the next.
    public var title: String {
        switch self {
        case .notFound: "No such route"
        case .methodNotAllowed: "Method not allowed on this route"
        case .payloadTooLarge: "Request body too large"
        case .headerTooLarge: "Request headers too large"
        case .unsupportedMediaType: "Unsupported content type"
        case .malformedRequest: "Malformed request body"
        case .invalidParameter: "Invalid query or path parameter"
        case .unauthenticated: "No valid client certificate"
        case .certificateRevoked: "Client certificate revoked"
        case .forbidden: "Caller lacks the role for this action"
        case .departmentSuspended: "Department suspended"
        case .departmentNotFound: "No such department"
        case .invalidDepartment: "Invalid department"
        case .certificateNotFound: "No such certificate"
        case .resourceNotFound: "No such resource"
        case .invalidResource: "Invalid resource description"
        case .alreadyExists: "Already exists"
        case .invalidState: "Not allowed in the current state"
        case .incompatibleChange: "Change would break subscribers"
        case .malformedJWS: "Not a JWS in flattened JSON serialization"
        case .invalidJWSHeader: "Invalid JWS protected header"
        case .badSignature: "Signature does not verify"
        case .unknownCertificate: "Signing certificate is not a current certificate of the caller"
        case .malformedMessage: "Envelope message is malformed"
        case .senderMismatch: "Sender is not the authenticated caller"
        case .clockSkew: "createdAt too far from the bus clock"
        case .resourceNotPublished: "Resource is not published"
        case .notProvider: "Sender is not the resource's provider"
        case .badOperationCount: "An envelope carries 1 to 1000 operations"
        case .schemaViolation: "Record does not match the resource schema"
        case .replayedEnvelope: "Envelope id reused with a different payload"
        case .notShareable: "Resource is not shareable"
        case .invalidSubscription: "Invalid subscription request"
        case .subscriptionNotFound: "No such subscription"
        case .notSubscribed: "Caller may not use this subscription"
        case .subscriptionNotActive: "Subscription is not active"
        case .ackOutOfRange: "Acknowledged sequence out of range"
        case .recordNotFound: "No such record"
        case .invalidWebhookURL: "Webhook URL refused"
        case .deadLetterNotFound: "No such dead letter"
        case .fieldNotGranted: "Field not granted to the caller"
        case .invalidVerification: "Invalid verification request"
        case .rateLimited: "Too many requests"
        case .notReady: "Bus not ready"
        case .storageUnavailable: "Storage unavailable"
        case .internalError: "Internal error"
        }
    }

    /// The RFC 9457 `type` URI.
    public var typeURI: String { "urn:sharebus:problem:\(rawValue)" }
}
