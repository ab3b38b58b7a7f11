/// A government department known to the bus: the unit that holds certificates, provides or
/// consumes resources, and is named in every audit entry it causes.
public struct Department: Sendable, Hashable, Codable {
    public enum Level: String, Sendable, Codable, CaseIterable {
        case national, provincial, municipal, county, township
    }

    public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
        case provider, consumer, steward, portal
        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    public enum Status: String, Sendable, Codable, CaseIterable {
        case active, suspended
    }

    public var id: String
    public var name: String
    /// GB 32100 unified social credit code.
    public var creditCode: String
    public var level: Level
    /// GB/T 2260 six-digit administrative division code.
    public var division: String
    public var roles: [Role]
    public var status: Status
    public var createdAt: String

    public init(
        id: String, name: String, creditCode: String, level: Level, division: String,
        roles: [Role], status: Status = .active, createdAt: String
    ) {
        self.id = id
        self.name = name
        self.creditCode = creditCode
        self.level = level
        self.division = division
        self.roles = Array(Set(roles)).sorted()
        self.status = status
        self.createdAt = createdAt
    }

    public func has(_ role: Role) -> Bool { roles.contains(role) }
}
