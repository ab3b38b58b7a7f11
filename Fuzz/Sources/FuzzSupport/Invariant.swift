/// A broken invariant is a crash, so libFuzzer stops, keeps the input as `crash-<sha1>` and the
/// run fails; the message says which property broke.
public func invariant(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() { fatalError("invariant broken: \(message())", file: file, line: line) }
}

/// The fuzz input as a sequence of choices, for targets that build structured values from bytes.
/// Reading past the end yields zeros, so every input is usable.
public struct ByteReader {
    private let bytes: [UInt8]
    private var index = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isAtEnd: Bool { index >= bytes.count }
    public var remaining: [UInt8] { isAtEnd ? [] : Array(bytes[index...]) }

    public mutating func byte() -> UInt8 {
        guard index < bytes.count else { return 0 }
        defer { index += 1 }
        return bytes[index]
    }

    public mutating func uint64() -> UInt64 {
        var value: UInt64 = 0
        for _ in 0..<8 { value = value << 8 | UInt64(byte()) }
        return value
    }

    public mutating func take(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, index + count)
        guard index < end else { return [] }
        defer { index = end }
        return Array(bytes[index..<end])
    }
}
