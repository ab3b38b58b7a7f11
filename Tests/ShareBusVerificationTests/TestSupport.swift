import ShareBusCore

// String literals as JSON strings make the tables of claims readable.
extension JSONValue: ExpressibleByStringLiteral {
    init(stringLiteral value: String) { self = .string(value) }
}
