import Foundation

/// RFC 6901 JSON pointers, as `FieldProblem.pointer` carries them.
public enum JSONPointer {
    /// One reference token: `~` written `~0` and `/` written `~1` (in that order).
    public static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    /// `base` extended by one member name or array index.
    public static func appending(_ token: String, to base: String) -> String { base + "/" + escape(token) }
    public static func appending(_ index: Int, to base: String) -> String { base + "/" + String(index) }
}
