public import Foundation
public import ShareBusCore
public import X509

/// The bus's own signature on receipts, deliveries, evidence and checkpoints: ES256 with the key
/// of the bus-signing certificate published at `/v1/pki/bus.pem`.
public struct BusSigner: Sendable {
    public static let receiptType = "sharebus-receipt+jws"
    public static let deliveryType = "sharebus-delivery+jws"
    public static let checkpointType = "sharebus-checkpoint+jws"
    public static let evidenceType = "sharebus-evidence+jws"

    public let signer: JWSSigner
    public let certificate: Certificate
    private let certificateDER: [UInt8]

    public init(certificatePEM: String, privateKeyPEM: String) throws {
        certificate = try Certificate(pemEncoded: certificatePEM)
        certificateDER = certificate.derBytes
        do {
            signer = .p256(try .init(pemRepresentation: privateKeyPEM))
        } catch {
            throw ShareBusError(.internalError, "the bus signing key is not a P-256 key: \(error)")
        }
    }

    /// A flattened JWS over `payload`'s canonical JSON, as compact JSON text.
    public func sign(_ payload: JSONValue, type: String) throws -> String {
        let jws = try signer.sign(payload: try CanonicalJSON.serialize(payload), typ: type, certificateDER: certificateDER)
        return String(decoding: jws.encoded(), as: UTF8.self)
    }
}
