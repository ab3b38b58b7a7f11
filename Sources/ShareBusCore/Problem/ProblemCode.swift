/// Every problem code the bus can answer, in one table.
///
/// Codes are stable: clients match on them. `docs/errors.md` lists the same table and a test
/// keeps the two in agreement. Add a code here, with its status and title, before using it.
public enum ProblemCode: String, Sendable, CaseIterable, Codable {
    // Transport, routing and request form
    case notFound = "not-found"
    case methodNotAllowed = "method-not-allowed"
    case payloadTooLarge = "payload-too-large"
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

    // Server side
    case notReady = "not-ready"
    case storageUnavailable = "storage-unavailable"
    case internalError = "internal-error"

    /// The HTTP status answered with this code.
    public var status: Int {
        switch self {
        case .notFound, .departmentNotFound, .certificateNotFound, .resourceNotFound: 404
        case .methodNotAllowed: 405
        case .payloadTooLarge: 413
        case .unsupportedMediaType: 415
        case .malformedRequest, .invalidParameter, .malformedJWS, .invalidJWSHeader, .badSignature: 400
        case .unauthenticated, .certificateRevoked: 401
        case .forbidden, .departmentSuspended: 403
        case .invalidDepartment, .invalidResource: 422
        case .alreadyExists, .invalidState, .incompatibleChange: 409
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
        case .notReady: "Bus not ready"
        case .storageUnavailable: "Storage unavailable"
        case .internalError: "Internal error"
        }
    }

    /// The RFC 9457 `type` URI.
    public var typeURI: String { "urn:sharebus:problem:\(rawValue)" }
}
