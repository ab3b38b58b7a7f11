/// A JWS whose form and header have been checked, but whose signature has not.
public struct ParsedJWS: Sendable, Hashable {
    public var header: JWSHeader
    public var protectedB64: String
    public var payloadB64: String
    /// The decoded payload bytes (for the bus, the message JSON).
    public var payload: [UInt8]
    public var signature: [UInt8]
    /// ASCII of `protected + "." + payload`, the bytes the signature covers (RFC 7515 section 5.1).
    public var signingInput: [UInt8]

    public init(header: JWSHeader, protectedB64: String, payloadB64: String, payload: [UInt8], signature: [UInt8]) {
        self.header = header
        self.protectedB64 = protectedB64
        self.payloadB64 = payloadB64
        self.payload = payload
        self.signature = signature
        self.signingInput = JWS.signingInput(protectedB64: protectedB64, payloadB64: payloadB64)
    }
}
