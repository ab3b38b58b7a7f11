import ShareBusCore

/// Collects what is wrong with a verification request, member by member, for one `invalid-verification`.
struct RequestProblems {
    private(set) var problems: [FieldProblem] = []

    mutating func add(_ pointer: String, _ reason: String) {
        problems.append(FieldProblem(pointer: pointer, reason: reason))
    }

    mutating func unknownMembers(_ object: [String: JSONValue], allowed: Set<String>) {
        for key in object.keys.sorted() where !allowed.contains(key) { add("/" + JSONPointer.escape(key), "unknown member") }
    }

    /// The string member `key`, reported when missing (if required) or not a non-empty string.
    mutating func string(_ object: [String: JSONValue], _ key: String, required: Bool) -> String? {
        guard let value = object[key], !value.isNull else {
            if required { add("/" + key, "is required") }
            return nil
        }
        guard let text = value.stringValue, !text.isEmpty else {
            add("/" + key, "must be a non-empty string")
            return nil
        }
        return text
    }

    func check() throws {
        guard problems.isEmpty else {
            throw ShareBusError(.invalidVerification, problems.map(\.description).joined(separator: "; "), problems: problems)
        }
    }

    static func object(_ body: JSONValue) throws -> [String: JSONValue] {
        guard let object = body.objectValue else {
            throw ShareBusError(
                .invalidVerification, "the request body must be a JSON object", problems: [FieldProblem(pointer: "", reason: "must be a JSON object")]
            )
        }
        return object
    }
}

/// `POST /v1/verify` `{"resource", "key", "claims": {...}, "purpose"}`, checked for form.
struct VerifyRequest {
    var resource: String
    /// The key as sent (a string, or a whole number for an integer key).
    var key: String
    /// Claimed values by field name, in name order.
    var claims: [(field: String, value: JSONValue)]
    var purpose: String

    static func parse(_ body: JSONValue, configuration: VerificationConfiguration) throws -> VerifyRequest {
        let object = try RequestProblems.object(body)
        var list = RequestProblems()
        list.unknownMembers(object, allowed: ["resource", "key", "claims", "purpose"])
        let resource = list.string(object, "resource", required: true)
        var key: String?
        switch object["key"] {
        case .string(let s) where !s.isEmpty: key = s
        case .integer(let i): key = String(i)
        case nil, .null?: list.add("/key", "is required")
        default: list.add("/key", "must be a non-empty string")
        }
        var claims: [(field: String, value: JSONValue)] = []
        if let value = object["claims"], !value.isNull {
            if let members = value.objectValue, !members.isEmpty {
                if members.count > configuration.maxClaims { list.add("/claims", "at most \(configuration.maxClaims) claims") }
                for name in members.keys.sorted() {
                    let claim = members[name]!
                    switch claim {
                    case .string, .integer, .number, .bool: claims.append((name, claim))
                    default: list.add("/claims/" + JSONPointer.escape(name), "must be a string, number or boolean")
                    }
                }
            } else {
                list.add("/claims", "must be an object of at least one claimed field")
            }
        } else {
            list.add("/claims", "is required")
        }
        var purpose: String?
        if let value = object["purpose"], !value.isNull {
            if let text = value.stringValue {
                purpose = text
                if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    list.add("/purpose", "must not be empty")
                } else if text.count > configuration.maxPurposeLength {
                    list.add("/purpose", "must be at most \(configuration.maxPurposeLength) characters")
                }
            } else {
                list.add("/purpose", "must be a string")
            }
        } else {
            list.add("/purpose", "is required: say why the data is verified")
        }
        try list.check()
        return VerifyRequest(resource: resource!, key: key!, claims: claims, purpose: purpose!)
    }
}

/// `POST /v1/certificates/verify` `{"type", "number"}` or `{"type", "holderId"}`, optional `sha256`
/// and `purpose`, checked for form.
struct CertificateRequest {
    enum Lookup {
        case number(String)
        case holder(String)
    }

    var type: String
    var lookup: Lookup
    /// The file digest in hand, lowercase hex.
    var sha256: String?
    var purpose: String?

    static func parse(_ body: JSONValue, configuration: VerificationConfiguration) throws -> CertificateRequest {
        let object = try RequestProblems.object(body)
        var list = RequestProblems()
        list.unknownMembers(object, allowed: ["type", "number", "holderId", "sha256", "purpose"])
        let type = list.string(object, "type", required: true)
        let hasNumber = !(object["number"]?.isNull ?? true)
        let hasHolder = !(object["holderId"]?.isNull ?? true)
        if hasNumber, hasHolder { list.add("/holderId", "give the number or the holderId, not both") }
        if !hasNumber, !hasHolder { list.add("", "give the certificate's number or its holderId") }
        let number = list.string(object, "number", required: false)
        let holder = list.string(object, "holderId", required: false)
        var sha256: String?
        if let given = list.string(object, "sha256", required: false) {
            let hex = ClaimNormaliser.text(given).lowercased()
            if hex.utf8.count == 64, hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) {
                sha256 = hex
            } else {
                list.add("/sha256", "must be the 64 hex digits of a SHA-256")
            }
        }
        let purpose = list.string(object, "purpose", required: false)
        if let purpose {
            if purpose.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                list.add("/purpose", "must not be empty")
            } else if purpose.count > configuration.maxPurposeLength {
                list.add("/purpose", "must be at most \(configuration.maxPurposeLength) characters")
            }
        }
        try list.check()
        let lookup: Lookup = number.map { .number($0) } ?? .holder(holder!)
        return CertificateRequest(type: type!, lookup: lookup, sha256: sha256, purpose: purpose)
    }
}
