import FuzzSupport
import ShareBusCore
import ShareBusCrypto

// RFC 8785 from the value side: builds a JSONValue out of the input (any double bit pattern, any
// Int64, strings of arbitrary scalars, nested arrays and objects) and checks that
// - non-finite numbers are refused and everything else has a canonical form;
// - canonical(parse(canonical(x))) == canonical(x) and the value survives the trip;
// - every double is written as ECMAScript would (brute-force reference) and reads back exactly;
// - object members come out in UTF-16 order.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCanonicalJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var reader = ByteReader(Array(UnsafeBufferPointer(start: data, count: size)))
    let value = makeValue(&reader, depth: 0)
    guard isFinite(value) else {
        invariant((try? CanonicalJSON.serialize(value)) == nil, "a NaN or infinity was serialised")
        return 0
    }
    let canonical = JSONRoundTrip.check(value)
    if case .object(let members) = value, let parsed = try? StrictJSON.parse(canonical), case .object = parsed {
        let order = members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
        var expected = [UInt8]("{".utf8)
        for (i, key) in order.enumerated() {
            if i > 0 { expected.append(UInt8(ascii: ",")) }
            expected += (try? CanonicalJSON.serialize(.string(key))) ?? []
            expected.append(UInt8(ascii: ":"))
            expected += (try? CanonicalJSON.serialize(members[key]!)) ?? []
        }
        expected.append(UInt8(ascii: "}"))
        invariant(expected == canonical, "members not in UTF-16 order")
    }
    return 0
}

func isFinite(_ value: JSONValue) -> Bool {
    switch value {
    case .number(let d): d.isFinite
    case .array(let elements): elements.allSatisfy(isFinite)
    case .object(let members): members.values.allSatisfy(isFinite)
    default: true
    }
}

func makeValue(_ r: inout ByteReader, depth: Int) -> JSONValue {
    let tag = r.byte()
    switch depth >= 6 ? tag % 6 : tag % 8 {
    case 0: return .null
    case 1: return .bool(tag & 0x80 != 0)
    case 2: return .integer(Int64(bitPattern: r.uint64()))
    case 3, 4:
        let d = Double(bitPattern: r.uint64())
        if d.isFinite {
            let written = (try? ECMAScriptNumber.string(d)) ?? "<threw>"
            let reference = ReferenceNumber.string(d)
            invariant(Double(written) == d || (d == 0 && written == "0"), "\(d) written as \(written), which reads back differently")
            // The reference may need one more digit than the shortest where a power of two makes
            // the rounding interval lopsided; the bus's shorter string must then still read back.
            invariant(written == reference || written.count < reference.count, "\(d) written as \(written), ECMAScript writes \(reference)")
        }
        return .number(d)
    case 5: return .string(makeString(&r))
    case 6:
        let count = Int(r.byte() % 5)
        return .array((0..<count).map { _ in makeValue(&r, depth: depth + 1) })
    default:
        let count = Int(r.byte() % 5)
        var members: [String: JSONValue] = [:]
        for _ in 0..<count { members[makeString(&r)] = makeValue(&r, depth: depth + 1) }
        return .object(members)
    }
}

/// Up to 8 scalars: control characters, ASCII, the BMP, astral planes (never surrogates).
func makeString(_ r: inout ByteReader) -> String {
    let count = Int(r.byte() % 9)
    var scalars = String.UnicodeScalarView()
    for _ in 0..<count {
        let kind = r.byte()
        let raw = UInt32(r.byte()) << 8 | UInt32(r.byte())
        let value: UInt32
        switch kind % 4 {
        case 0: value = raw % 0x20
        case 1: value = raw % 0x80
        case 2: value = raw
        default: value = 0x10000 + (raw << 4 | UInt32(kind >> 4))
        }
        scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
    }
    return String(scalars)
}
