import Testing

@testable import ShareBusCore

@Suite struct PhoneTests {
    @Test(arguments: [
        "13812345678", "19912345678", "+8613812345678", "+86 13812345678", "+86-15912345678", "010-12345678", "021-6123456",
        "0951-1234567", "0951-12345678", "0755-86001234-123", "020-87654321-1",
    ])
    func acceptsChinesePhoneNumbers(_ s: String) {
        #expect(Formats.isValidPhone(s))
    }

    @Test(arguments: [
        "12345", "95588", "110", "12812345678", "1381234567", "138123456789", "+8513812345678", "+86 1381234567",
        "8613812345678", "010-1234567890", "010-123456", "10-12345678", "031-1234567", "01012345678", "0951-0123456",
        "0951-1234567-", "0951-1234567-1234567", "0951--1234567", "010 12345678", "", "+86",
    ])
    func rejectsOtherNumbers(_ s: String) {
        #expect(!Formats.isValidPhone(s))
    }
}

@Suite struct GeoPointTests {
    @Test(arguments: [
        JSONValue.object(["lon": .number(106.23), "lat": .number(38.49)]),
        .object(["lon": .integer(-180), "lat": .integer(90)]),
        .object(["lon": .number(180), "lat": .number(-90)]),
        .object(["lon": .integer(0), "lat": .integer(0)]),
    ])
    func acceptsPoints(_ value: JSONValue) {
        #expect(Formats.geoPointProblem(value) == nil)
    }

    @Test(arguments: [
        (JSONValue.object(["lon": .number(180.5), "lat": .number(0)]), "lon must be between"),
        (.object(["lon": .number(0), "lat": .number(-90.01)]), "lat must be between"),
        (.object(["lon": .string("106.2"), "lat": .number(38)]), "lon must be a number"),
        (.object(["lon": .number(106)]), "lat must be a number"),
        (.object(["lon": .number(106), "lat": .number(38), "alt": .number(1100)]), "unexpected member \"alt\""),
        (.object(["x": .number(106), "y": .number(38)]), "unexpected member"),
        (.array([.number(106), .number(38)]), "must be an object"),
        (.string("106.2,38.4"), "must be an object"),
    ])
    func rejectsOtherValues(_ value: JSONValue, _ reason: String) throws {
        let problem = try #require(Formats.geoPointProblem(value))
        #expect(problem.contains(reason), "\(problem)")
    }
}
