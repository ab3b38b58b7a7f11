@testable import ShareBusCore

/// A small population resource touching every field type, shared by the validation tests.
enum Fixtures {
    static let population = Resource(
        code: "base.population", name: "人口基础信息", category: .population, provider: "gov.ningxia.gongan",
        primaryKey: "idNumber",
        fields: [
            .init(name: "idNumber", title: "公民身份号码", type: .citizenId, required: true, sensitivity: .L3),
            .init(name: "name", title: "姓名", type: .string, required: true, sensitivity: .L3),
            .init(name: "gender", type: .enum, required: true, sensitivity: .L2, values: ["male", "female"]),
            .init(name: "birthDate", type: .date, sensitivity: .L3),
            .init(name: "children", type: .integer, sensitivity: .L2),
            .init(name: "height", type: .number, sensitivity: .L3),
            .init(name: "alive", type: .boolean, sensitivity: .L2),
            .init(name: "updatedAt", type: .datetime, sensitivity: .L1),
            .init(name: "employer", type: .creditCode, sensitivity: .L2),
            .init(name: "residence", type: .divisionCode, sensitivity: .L2),
            .init(name: "mobile", type: .phone, sensitivity: .L3),
            .init(name: "home", type: .geoPoint, sensitivity: .L3),
            .init(name: "address", type: .object, sensitivity: .L3),
            .init(name: "aliases", type: .array, sensitivity: .L3),
        ],
        sharing: .init(type: .conditional, basis: "《居民身份证法》"), updateCycle: .daily, status: .published)

    static let goodRecord: JSONValue = .object([
        "idNumber": .string("11010519491231002X"),
        "name": .string("张三"),
        "gender": .string("male"),
        "birthDate": .string("1949-12-31"),
        "children": .integer(2),
        "height": .number(172.5),
        "alive": .bool(true),
        "updatedAt": .string("2026-11-22T12:00:00Z"),
        "employer": .string("91350100M000100Y43"),
        "residence": .string("640104"),
        "mobile": .string("+8613812345678"),
        "home": .object(["lon": .number(106.23), "lat": .number(38.49)]),
        "address": .object(["line": .string("解放西街 1 号")]),
        "aliases": .array([]),
    ])

    /// `goodRecord` with some members replaced (or, for `nil`, removed).
    static func record(_ changes: [String: JSONValue?]) -> JSONValue {
        var object = goodRecord.objectValue ?? [:]
        for (key, value) in changes { object[key] = value }
        return .object(object)
    }

    static let check = FieldValueCheck(today: LocalDate(year: 2026, month: 11, day: 22)!)

    /// The JSON form of a valid resource, as a steward would submit it.
    static let resourceJSON: JSONValue = .object([
        "code": .string("cert.business-licence"),
        "name": .string("营业执照"),
        "category": .string("certificate"),
        "provider": .string("gov.ningxia.scjg"),
        "description": .string("电子营业执照"),
        "primaryKey": .string("creditCode"),
        "fields": .array([
            .object([
                "name": .string("creditCode"), "title": .string("统一社会信用代码"), "type": .string("creditCode"),
                "required": .bool(true), "sensitivity": .string("L1"),
            ]),
            .object(["name": .string("companyName"), "type": .string("string"), "required": .bool(true), "sensitivity": .string("L1")]),
            .object([
                "name": .string("kind"), "type": .string("enum"), "sensitivity": .string("L1"),
                "values": .array([.string("company"), .string("individual")]),
            ]),
        ]),
        "sharing": .object(["type": .string("unconditional")]),
        "open": .bool(true),
        "updateCycle": .string("realtime"),
        "version": .integer(2),
        "status": .string("published"),
    ])

    /// `resourceJSON` with some top-level members replaced (or, for `nil`, removed).
    static func resource(_ changes: [String: JSONValue?]) -> JSONValue {
        var object = resourceJSON.objectValue ?? [:]
        for (key, value) in changes { object[key] = value }
        return .object(object)
    }
}
