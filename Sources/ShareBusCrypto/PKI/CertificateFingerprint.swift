import Foundation
import Crypto

/// The fingerprint the bus files certificates under: lowercase hex SHA-256 of the DER.
public enum CertificateFingerprint {
    public static func sha256Hex(_ der: [UInt8]) -> String {
        SHA256.hash(data: der).map { String(format: "%02x", $0) }.joined()
    }
}
