/// Who is calling: taken only from the SAN URI of a verified client certificate, never from a body.
public enum Principal: Sendable, Hashable, CustomStringConvertible {
    case department(String)
    case `operator`(String)
    /// Reads the audit log and its checkpoints, and nothing else: the role that checks what
    /// operators and departments did, without managing queues or reading records itself.
    case auditor(String)

    public static let departmentPrefix = "urn:sharebus:dept:"
    public static let operatorPrefix = "urn:sharebus:operator:"
    public static let auditorPrefix = "urn:sharebus:auditor:"

    /// Parses `urn:sharebus:dept:<id>`, `urn:sharebus:operator:<id>` or `urn:sharebus:auditor:<id>`;
    /// anything else is nil.
    public init?(uri: String) {
        if uri.hasPrefix(Self.departmentPrefix) {
            let id = String(uri.dropFirst(Self.departmentPrefix.count))
            guard DepartmentID.isValid(id) else { return nil }
            self = .department(id)
        } else if uri.hasPrefix(Self.operatorPrefix) {
            let id = String(uri.dropFirst(Self.operatorPrefix.count))
            guard DepartmentID.isValid(id) else { return nil }
            self = .operator(id)
        } else if uri.hasPrefix(Self.auditorPrefix) {
            let id = String(uri.dropFirst(Self.auditorPrefix.count))
            guard DepartmentID.isValid(id) else { return nil }
            self = .auditor(id)
        } else {
            return nil
        }
    }

    public var uri: String {
        switch self {
        case .department(let id): Self.departmentPrefix + id
        case .operator(let id): Self.operatorPrefix + id
        case .auditor(let id): Self.auditorPrefix + id
        }
    }

    public var id: String {
        switch self {
        case .department(let id), .operator(let id), .auditor(let id): id
        }
    }

    /// The form written as `actor` in audit entries.
    public var description: String {
        switch self {
        case .department(let id): "dept:\(id)"
        case .operator(let id): "operator:\(id)"
        case .auditor(let id): "auditor:\(id)"
        }
    }
}

/// Department (and operator) identifiers: `[a-z0-9][a-z0-9.-]{1,63}`.
public enum DepartmentID {
    public static func isValid(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard (2...64).contains(bytes.count) else { return false }
        func isAlnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        guard isAlnum(bytes[0]) else { return false }
        return bytes.dropFirst().allSatisfy { isAlnum($0) || $0 == 0x2E || $0 == 0x2D }
    }
}
