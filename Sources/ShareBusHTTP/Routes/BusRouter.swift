import Foundation
public import Hummingbird
import NIOCore
import ShareBusCore
import ShareBusCrypto

/// Registers a route with Hummingbird and in the `RouteRegistry` at once, so the 405 answers and
/// the OpenAPI completeness test see exactly what is served.
public struct BusRouter {
    public typealias Handler = @Sendable (Request, BusRequestContext) async throws -> Response
    let router: Router<BusRequestContext>
    let registry: RouteRegistry

    func on(_ method: HTTPRequest.Method, _ path: String, use handler: @escaping Handler) {
        registry.add(method, path)
        router.on(RouterPath(path), method: method, use: handler)
    }
}

/// Reading request bodies and parameters the same way on every route.
enum RequestReading {
    /// The body as JSON, refusing other media types, oversized and malformed bodies with their codes.
    static func json(_ request: Request, context: BusRequestContext, limit: Int) async throws -> JSONValue {
        try requireMediaType(request, anyOf: ["application/json"])
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        return try strict(buffer)
    }

    /// Like `json`, but an empty body is nil (for actions whose body is optional).
    static func optionalJSON(_ request: Request, context: BusRequestContext, limit: Int) async throws -> JSONValue? {
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        guard buffer.readableBytes > 0 else { return nil }
        try requireMediaType(request, anyOf: ["application/json"])
        return try strict(buffer)
    }

    /// A JSON body read as strictly as a signed one (`StrictJSON`): a member named twice, invalid
    /// UTF-8, a number beyond a double or nesting deeper than 64 is `malformed-request`, where
    /// Foundation's decoder would quietly keep the last of two members and leave the body meaning
    /// one thing to the bus and another to whoever else reads it.
    static func strict(_ buffer: ByteBuffer) throws -> JSONValue {
        do {
            return try StrictJSON.parse(buffer.readableBytesView)
        } catch {
            throw ShareBusError.malformed("the body is not valid JSON: \(error)")
        }
    }

    static func requireMediaType(_ request: Request, anyOf types: [String]) throws {
        let contentType = request.headers[.contentType]?.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        guard let contentType, types.contains(contentType) else {
            throw ShareBusError(
                .unsupportedMediaType, "send the body as \(types.joined(separator: " or ")), not \(contentType ?? "no content type")")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw ShareBusError.malformed("the body is not valid JSON of the expected form: \(ProblemMiddleware.describe(error))")
        }
    }

    static func parameter(_ name: String, _ context: BusRequestContext) throws -> String {
        guard let value = context.parameters.get(name) else { throw ShareBusError.invalidParameter("missing \(name)") }
        return value
    }

    /// `limit` within 1...maximum, defaulting to `fallback`.
    static func limit(_ request: Request, fallback: Int, maximum: Int) throws -> Int {
        guard let text = request.uri.queryParameters.get("limit") else { return fallback }
        guard let value = Int(text), (1...maximum).contains(value) else {
            throw ShareBusError.invalidParameter("limit must be a whole number from 1 to \(maximum)")
        }
        return value
    }
}

extension BusRequestContext {
    /// The calling department when it has `role`; otherwise 403.
    func requireDepartment(role: Department.Role) throws -> Department {
        guard let department, department.has(role) else {
            throw ShareBusError.forbidden("this action needs a department with the \(role.rawValue) role")
        }
        return department
    }

    func requireOperator() throws -> String {
        guard case .operator(let id) = principal else { throw ShareBusError.forbidden("this action is for operators") }
        return id
    }
}
