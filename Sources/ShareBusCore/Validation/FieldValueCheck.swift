/// What a single value must look like for a resource field's type.
public struct FieldValueCheck: Sendable {
    public var divisions: DivisionTable
    /// The day citizen id birth dates may not be after.
    public var today: LocalDate

    public init(divisions: DivisionTable = .shared, today: LocalDate = .today()) {
        self.divisions = divisions
        self.today = today
    }

    /// Nil when `value` (not null: nullness is the caller's concern) fits `type`; otherwise why not.
    public func problem(with value: JSONValue, type: Resource.FieldType, values: [String]? = nil) -> String? {
        switch type {
        case .string:
            return value.stringValue == nil ? "must be a string" : nil
        case .integer:
            return Self.integerProblem(value)
        case .number:
            guard let d = value.doubleValue, d.isFinite else { return "must be a number" }
            return nil
        case .boolean:
            if case .bool = value { return nil }
            return "must be a boolean"
        case .object:
            return value.objectValue == nil ? "must be an object" : nil
        case .array:
            return value.arrayValue == nil ? "must be an array" : nil
        case .geoPoint:
            return Formats.geoPointProblem(value)
        case .enum:
            guard let s = value.stringValue else { return "must be a string" }
            let allowed = values ?? []
            return allowed.contains(s) ? nil : "must be one of \(allowed.joined(separator: ", "))"
        case .date, .datetime, .citizenId, .creditCode, .divisionCode, .phone:
            guard let s = value.stringValue else { return "must be a string" }
            return stringProblem(s, type: type)
        }
    }

    /// Nil for a JSON number with no fractional part (`3` or `3.0`, as JSON Schema counts them)
    /// that fits in 64 bits: a key is filed and queried by its text, and `1e300` would be filed
    /// under text that no longer reads back as an integer.
    static func integerProblem(_ value: JSONValue) -> String? {
        switch value {
        case .integer: nil
        case .number(let d) where d.isFinite && d == d.rounded() && d >= -0x1p63 && d < 0x1p63: nil
        default: "must be an integer"
        }
    }

    private func stringProblem(_ s: String, type: Resource.FieldType) -> String? {
        switch type {
        case .date: Formats.isValidDate(s) ? nil : "must be a real date written YYYY-MM-DD"
        case .datetime: Formats.isValidDateTime(s) ? nil : "must be an RFC 3339 date-time"
        case .citizenId: CitizenID.validate(s, divisions: divisions, today: today).map { "not a valid citizen id: \($0)" }
        case .creditCode: CreditCode.validate(s, divisions: divisions).map { "not a valid credit code: \($0)" }
        case .divisionCode: divisions.problem(with: s)
        case .phone: Formats.isValidPhone(s) ? nil : "must be a mobile number (optionally +86) or a landline like 010-12345678"
        default: nil
        }
    }
}
