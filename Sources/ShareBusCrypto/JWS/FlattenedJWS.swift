public import ShareBusCore

/// A JWS in flattened JSON serialization (RFC 7515 section 7.2.2) as it travels on the wire.
public struct FlattenedJWS: Codable, Sendable, Hashable {
    public var protected: String
    public var payload: String
    public var signature: String
    /// The unprotected header. Decoded only so that it can be refused: sharebus puts everything
    /// in the protected header, and `encoded()` never writes this member.
    public var header: JSONValue?

    public init(protected: String, payload: String, signature: String) {
        self.protected = protected
        self.payload = payload
        self.signature = signature
        self.header = nil
    }

    /// Compact JSON `{"protected":"…","payload":"…","signature":"…"}` in that order.
    public func encoded() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(protected.utf8.count + payload.utf8.count + signature.utf8.count + 48)
        out.append(contentsOf: "{\"protected\":".utf8)
        CanonicalJSON.writeString(protected, into: &out)
        out.append(contentsOf: ",\"payload\":".utf8)
        CanonicalJSON.writeString(payload, into: &out)
        out.append(contentsOf: ",\"signature\":".utf8)
        CanonicalJSON.writeString(signature, into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    private enum CodingKeys: String, CodingKey {
        case protected, payload, signature, header
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(protected, forKey: .protected)
        try container.encode(payload, forKey: .payload)
        try container.encode(signature, forKey: .signature)
    }
}
