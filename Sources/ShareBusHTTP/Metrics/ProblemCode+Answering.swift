import Hummingbird
import NIOCore
public import ShareBusCore

extension ProblemCode {
    /// The code `ProblemMiddleware` answers `error` with, for labelling a refusal in the metrics
    /// before the middleware turns it into problem+json.
    public static func answering(_ error: any Error) -> ProblemCode {
        switch error {
        case let error as ShareBusError: error.code
        case is NIOTooManyBytesError: .payloadTooLarge
        case is DecodingError: .malformedRequest
        case let error as HTTPError:
            switch error.status {
            case .contentTooLarge: .payloadTooLarge
            case .unsupportedMediaType: .unsupportedMediaType
            case .unauthorized: .unauthenticated
            case .notFound: .notFound
            default: error.status.code < 500 ? .malformedRequest : .internalError
            }
        default: .internalError
        }
    }
}
