import Crypto

/// The fingerprint the bus files certificates under: lowercase hex SHA-256 of the DER.
/// (`Certificate.sha256Fingerprint` is the same value for a parsed certificate.)
public enum CertificateFingerprint {
    public static func sha256Hex(_ der: [UInt8]) -> String {
        Hex.encode(SHA256.hash(data: der))
    }
}
