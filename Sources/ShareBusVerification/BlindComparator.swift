public import Crypto
import Foundation

/// Compares a claimed value with a stored one without the time taken depending on where they differ.
///
/// Both sides, already normalised, are keyed with HMAC-SHA256 under a random key made for this
/// process and never stored; the two 32-byte digests are compared with `ConstantTime.equal`. A missing
/// stored value is replaced by a random dummy, so "no such value" costs the same work as "different".
public struct BlindComparator: Sendable {
    private let key: SymmetricKey
    private let dummy: String

    public init(key: SymmetricKey = SymmetricKey(size: .bits256)) {
        self.key = key
        dummy = Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }).base64EncodedString()
    }

    /// Whether `claim` equals `stored` (false when `stored` is nil), in time independent of either value's content.
    public func equal(_ claim: String, _ stored: String?) -> Bool {
        let same = ConstantTime.equal(digest(claim), digest(stored ?? dummy))
        return same && stored != nil
    }

    /// The keyed digest of `text` (also the form keys take in the rate limiter).
    public func digest(_ text: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key))
    }
}

public enum ConstantTime {
    /// Whether two byte strings are equal, looking at every byte whatever the first difference.
    /// Unequal lengths answer false at once: the bus only compares digests of one fixed length.
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
