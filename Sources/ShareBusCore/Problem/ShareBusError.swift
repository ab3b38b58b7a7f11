/// The one error type of the bus domain: a stable problem code, a human detail, and where it was made.
///
/// Made through static factories so the call site reads as the reason (`.invalidResource(...)`).
public struct ShareBusError: Error, Sendable, CustomStringConvertible {
    public var code: ProblemCode
    public var detail: String
    /// Machine-readable particulars (e.g. every validation problem found), answered as `errors`.
    public var problems: [FieldProblem]
    public var file: String
    public var line: UInt

    public init(
        _ code: ProblemCode, _ detail: String, problems: [FieldProblem] = [],
        file: String = #fileID, line: UInt = #line
    ) {
        self.code = code
        self.detail = detail
        self.problems = problems
        self.file = file
        self.line = line
    }

    public var description: String { "\(code.rawValue): \(detail)" }
}

/// One thing wrong with an input, located by a JSON pointer (RFC 6901).
public struct FieldProblem: Sendable, Hashable, Codable, CustomStringConvertible {
    public var pointer: String
    public var reason: String
    public init(pointer: String, reason: String) {
        self.pointer = pointer
        self.reason = reason
    }
    public var description: String { pointer.isEmpty ? reason : "\(pointer): \(reason)" }
}

extension ShareBusError {
    public static func notFound(_ detail: String, file: String = #fileID, line: UInt = #line) -> Self {
        .init(.notFound, detail, file: file, line: line)
    }
    public static func malformed(_ detail: String, file: String = #fileID, line: UInt = #line) -> Self {
        .init(.malformedRequest, detail, file: file, line: line)
    }
    public static func invalidParameter(_ detail: String, file: String = #fileID, line: UInt = #line) -> Self {
        .init(.invalidParameter, detail, file: file, line: line)
    }
    public static func forbidden(_ detail: String, file: String = #fileID, line: UInt = #line) -> Self {
        .init(.forbidden, detail, file: file, line: line)
    }
    public static func invalidState(_ detail: String, file: String = #fileID, line: UInt = #line) -> Self {
        .init(.invalidState, detail, file: file, line: line)
    }
    public static func alreadyExists(_ detail: String, file: String = #fileID, line: UInt = #line) -> Self {
        .init(.alreadyExists, detail, file: file, line: line)
    }
    public static func invalidResource(_ problems: [FieldProblem], file: String = #fileID, line: UInt = #line) -> Self {
        let summary = problems.map(\.description).joined(separator: "; ")
        return .init(.invalidResource, summary, problems: problems, file: file, line: line)
    }
    public static func invalidDepartment(_ problems: [FieldProblem], file: String = #fileID, line: UInt = #line) -> Self {
        let summary = problems.map(\.description).joined(separator: "; ")
        return .init(.invalidDepartment, summary, problems: problems, file: file, line: line)
    }
}
