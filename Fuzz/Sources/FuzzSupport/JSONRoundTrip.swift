public import ShareBusCore
import ShareBusCrypto

/// The RFC 8785 round-trip property shared by the JSON targets:
/// canonical(parse(canonical(x))) == canonical(x), and the canonical bytes are valid UTF-8 that
/// the strict parser accepts.
public enum JSONRoundTrip {
    @discardableResult
    public static func check(_ value: JSONValue, maxDepth: Int = 64) -> [UInt8] {
        let canonical: [UInt8]
        do {
            canonical = try CanonicalJSON.serialize(value)
        } catch {
            fatalError("invariant broken: a parsed value has no canonical form: \(error)")
        }
        invariant(String(validating: canonical, as: UTF8.self) != nil, "canonical JSON is not valid UTF-8")
        let reparsed: JSONValue
        do {
            reparsed = try StrictJSON.parse(canonical, maxDepth: maxDepth)
        } catch {
            fatalError("invariant broken: canonical JSON does not parse: \(error) in \(String(decoding: canonical, as: UTF8.self))")
        }
        let again = (try? CanonicalJSON.serialize(reparsed)) ?? []
        invariant(again == canonical, "canonical form changed on a round trip: \(String(decoding: canonical, as: UTF8.self)) -> \(String(decoding: again, as: UTF8.self))")
        invariant(sameModuloNumberKind(value, reparsed), "round trip changed the value: \(value) -> \(reparsed)")
        return canonical
    }

    /// Equal, where a `.number` may come back as the `.integer` of the same value (`1.0` → `1`).
    public static func sameModuloNumberKind(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.number(let x), .integer(let y)): return x == Double(y) && Double(y).isFinite
        case (.integer(let x), .number(let y)): return Double(x) == y
        case (.number(let x), .number(let y)): return x == y
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { sameModuloNumberKind($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { sameModuloNumberKind(value, $0) } ?? false }
        default: return a == b
        }
    }
}
