import Foundation
public import Hummingbird
import Logging
import NIOCore
import ShareBusCore

/// The outermost middleware: whatever goes wrong below answers problem+json with a stable code.
///
/// Framework errors are mapped to the bus's codes; an unknown route that exists with another
/// method answers 405 with `Allow`; anything unexpected is logged and answered `internal-error`
/// without its details.
public struct ProblemMiddleware: RouterMiddleware {
    public typealias Context = BusRequestContext
    let routes: RouteRegistry

    public init(routes: RouteRegistry) { self.routes = routes }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as ShareBusError {
            if error.code == .internalError || error.code == .storageUnavailable {
                context.logger.error("request failed", metadata: ["error.code": "\(error.code.rawValue)", "error.detail": "\(error.detail)"])
            }
            return ProblemResponse.make(error)
        } catch let error as HTTPError {
            return problem(for: error, request: request)
        } catch is NIOTooManyBytesError {
            return ProblemResponse.make(ShareBusError(.payloadTooLarge, "the request body is larger than the bus accepts"))
        } catch let error as DecodingError {
            return ProblemResponse.make(.malformed("the body does not have the expected form: \(Self.describe(error))"))
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return ProblemResponse.make(ShareBusError(.internalError, "the bus could not complete the request"))
        }
    }

    private func problem(for error: HTTPError, request: Request) -> Response {
        switch error.status {
        case .notFound:
            let allowed = routes.methods(matching: request.uri.path)
            if !allowed.isEmpty {
                var headers = HTTPFields()
                headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
                return ProblemResponse.make(
                    ShareBusError(.methodNotAllowed, "\(request.method.rawValue) is not allowed on \(request.uri.path)"), headers: headers)
            }
            return ProblemResponse.make(.notFound("no route \(request.method.rawValue) \(request.uri.path)"))
        case .contentTooLarge:
            return ProblemResponse.make(ShareBusError(.payloadTooLarge, "the request body is larger than the bus accepts"))
        case .unsupportedMediaType:
            return ProblemResponse.make(ShareBusError(.unsupportedMediaType, error.body ?? "unsupported content type"))
        case .methodNotAllowed:
            return ProblemResponse.make(ShareBusError(.methodNotAllowed, "\(request.method.rawValue) is not allowed here"))
        case .unauthorized:
            return ProblemResponse.make(ShareBusError(.unauthenticated, error.body ?? "no valid client certificate"))
        default:
            if error.status.code < 500 {
                return ProblemResponse.make(.malformed(error.body ?? "the request could not be read"))
            }
            return ProblemResponse.make(ShareBusError(.internalError, "the bus could not complete the request"))
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "missing member \(Self.pointer(context.codingPath + [key]))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let at = Self.pointer(context.codingPath)
            return at.isEmpty ? context.debugDescription : "\(at): \(context.debugDescription)"
        @unknown default:
            return "unreadable"
        }
    }

    static func pointer(_ path: [any CodingKey]) -> String {
        path.map { "/" + ($0.intValue.map(String.init) ?? $0.stringValue) }.joined()
    }
}
