import Foundation
public import Hummingbird
public import ShareBusCore

/// RFC 9457 `application/problem+json` answers, built from a `ShareBusError`.
public enum ProblemResponse {
    public static let mediaType = "application/problem+json"

    public static func make(_ error: ShareBusError, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = mediaType
        headers[.cacheControl] = "no-store"
        return Response(status: .init(code: error.code.status), headers: headers, body: .init(byteBuffer: body(error)))
    }

    /// The problem document of `error`, as `make` answers it.
    static func body(_ error: ShareBusError) -> ByteBuffer {
        var body: [String: JSONValue] = [
            "type": .string(error.code.typeURI),
            "title": .string(error.code.title),
            "status": .integer(Int64(error.code.status)),
            "detail": .string(error.detail),
            "code": .string(error.code.rawValue),
        ]
        if !error.problems.isEmpty {
            body["errors"] = .array(
                error.problems.map { .object(["pointer": .string($0.pointer), "reason": .string($0.reason)]) })
        }
        let data = (try? JSONResponse.encoder.encode(JSONValue.object(body))) ?? Data()
        return ByteBuffer(bytes: data)
    }
}

/// How every JSON answer of the bus is written: sorted keys, no escaped slashes.
public enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) throws
        -> Response
    {
        let data = try encoder.encode(value)
        var headers = extra
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
