/// One entry of the government information resource catalog (after GB/T 21063), exactly in the
/// JSON form of the wire protocol, section 4.
public struct Resource: Sendable, Hashable, Codable {
    public enum Category: String, Sendable, Codable, CaseIterable {
        case population
        case legalPerson = "legal-person"
        case geographic, certificate, credit, other
    }

    public enum UpdateCycle: String, Sendable, Codable, CaseIterable {
        case realtime, daily, weekly, monthly, yearly
    }

    public enum Status: String, Sendable, Codable, CaseIterable {
        case draft, published, retired
    }

    public struct Sharing: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Codable, CaseIterable {
            case unconditional, conditional, none
        }
        public var type: Kind
        public var conditions: String?
        public var basis: String?
        public init(type: Kind, conditions: String? = nil, basis: String? = nil) {
            self.type = type
            self.conditions = conditions
            self.basis = basis
        }
    }

    public var code: String
    public var name: String
    public var category: Category
    public var provider: String
    public var description: String?
    public var primaryKey: String
    public var fields: [Field]
    public var sharing: Sharing
    public var open: Bool
    public var updateCycle: UpdateCycle
    public var version: Int
    public var status: Status

    public init(
        code: String, name: String, category: Category, provider: String, description: String? = nil,
        primaryKey: String, fields: [Field], sharing: Sharing, open: Bool = false,
        updateCycle: UpdateCycle = .realtime, version: Int = 1, status: Status = .draft
    ) {
        self.code = code
        self.name = name
        self.category = category
        self.provider = provider
        self.description = description
        self.primaryKey = primaryKey
        self.fields = fields
        self.sharing = sharing
        self.open = open
        self.updateCycle = updateCycle
        self.version = version
        self.status = status
    }

    public func field(named name: String) -> Field? { fields.first { $0.name == name } }
}

extension Resource {
    /// A field of a resource's schema.
    public struct Field: Sendable, Hashable, Codable {
        public var name: String
        public var title: String?
        public var type: FieldType
        public var required: Bool
        public var sensitivity: Sensitivity
        /// The allowed values of an `enum` field.
        public var values: [String]?
        public var description: String?

        public init(
            name: String, title: String? = nil, type: FieldType, required: Bool = false,
            sensitivity: Sensitivity = .L2, values: [String]? = nil, description: String? = nil
        ) {
            self.name = name
            self.title = title
            self.type = type
            self.required = required
            self.sensitivity = sensitivity
            self.values = values
            self.description = description
        }

        private enum CodingKeys: String, CodingKey {
            case name, title, type, required, sensitivity, values, description
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            title = try c.decodeIfPresent(String.self, forKey: .title)
            type = try c.decode(FieldType.self, forKey: .type)
            required = try c.decodeIfPresent(Bool.self, forKey: .required) ?? false
            sensitivity = try c.decode(Sensitivity.self, forKey: .sensitivity)
            values = try c.decodeIfPresent([String].self, forKey: .values)
            description = try c.decodeIfPresent(String.self, forKey: .description)
        }
    }

    /// The field types of protocol section 4.
    public enum FieldType: String, Sendable, Codable, CaseIterable {
        case string, integer, number, boolean, date, datetime, citizenId, creditCode, divisionCode
        case phone, geoPoint, `enum`, object, array
    }

    /// Sensitivity levels: L1 public, L2 internal, L3 sensitive personal or business data, L4 highly sensitive.
    public enum Sensitivity: String, Sendable, Codable, CaseIterable, Comparable {
        case L1, L2, L3, L4
        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }
}
