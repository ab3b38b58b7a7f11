public import ShareBusCore

/// A small resource keyed by a string `code` with an integer `value`, shared unconditionally: what
/// the tests that set a bus up with the CLI exchange.
public enum TestItems {
    /// The catalog entry of the resource `code` of `provider`, as a `catalog import` file holds it.
    public static func resourceJSON(code: String, provider: String, name: String, description: String) -> JSONValue {
        .object([
            "code": .string(code), "name": .string(name), "category": .string("other"), "provider": .string(provider),
            "description": .string(description), "primaryKey": .string("code"),
            "fields": .array([
                .object([
                    "name": .string("code"), "title": .string("编号"), "type": .string("string"), "required": .bool(true),
                    "sensitivity": .string("L1"),
                ]),
                .object([
                    "name": .string("value"), "title": .string("数值"), "type": .string("integer"), "required": .bool(false),
                    "sensitivity": .string("L1"),
                ]),
            ]),
            "sharing": .object(["type": .string("unconditional"), "basis": .string("测试")]),
            "open": .bool(false), "updateCycle": .string("realtime"), "version": .integer(1), "status": .string("published"),
        ])
    }

    public static func record(_ code: String, _ value: Int64) -> JSONValue {
        .object(["code": .string(code), "value": .integer(value)])
    }

    public static func upsert(_ code: String, _ value: Int64) -> JSONValue {
        .object(["op": .string("upsert"), "record": record(code, value)])
    }
}
