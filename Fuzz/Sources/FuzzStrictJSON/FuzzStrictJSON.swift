import FuzzSupport
import ShareBusCore
import ShareBusCrypto

// StrictJSON on raw bytes, then RFC 8785 on what it accepts:
// - the parser either refuses or returns a value (no crash, no hang, depth bounded);
// - whatever it accepts has a canonical form, canonical(parse(canonical(x))) == canonical(x),
//   and the value survives the trip;
// - accepted input holds no duplicate member names and is valid UTF-8 as a whole;
// - a value accepted at depth 64 is refused when the limit is one less than its depth.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStrictJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? StrictJSON.parse(bytes) else { return 0 }
    invariant(String(validating: bytes, as: UTF8.self) != nil, "accepted input that is not UTF-8")
    JSONRoundTrip.check(value)
    let depth = nesting(value)
    invariant(depth <= 64, "accepted nesting depth \(depth) beyond the limit")
    if depth > 0 {
        invariant((try? StrictJSON.parse(bytes, maxDepth: depth - 1)) == nil, "depth \(depth) accepted under limit \(depth - 1)")
        invariant((try? StrictJSON.parse(bytes, maxDepth: depth)) != nil, "depth \(depth) refused under limit \(depth)")
    }
    return 0
}

/// The depth of the deepest value, the top level being 0: `1` and `[]` are 0, `[1]` is 1,
/// `{"a":[1]}` is 2 (the parser's own count, which `maxDepth` bounds).
func nesting(_ value: JSONValue) -> Int {
    switch value {
    case .array(let elements): elements.map(nesting).max().map { $0 + 1 } ?? 0
    case .object(let members): members.values.map(nesting).max().map { $0 + 1 } ?? 0
    default: 0
    }
}
