/// Base64url without padding (RFC 4648 section 5, RFC 7515 section 2).
///
/// Decoding is strict on purpose: a signed body must have exactly one spelling, so padding,
/// characters outside the URL-safe alphabet and non-zero leftover bits are all refused.
public enum Base64URL {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = UInt8(index) }
        return table
    }()

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let input = Array(bytes)
        var out = [UInt8]()
        out.reserveCapacity((input.count * 4 + 2) / 3)
        var i = 0
        while i + 3 <= input.count {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(alphabet[Int(n & 63)])
            i += 3
        }
        switch input.count - i {
        case 1:
            let n = UInt32(input[i]) << 16
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
        case 2:
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
        default:
            break
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The decoded bytes, or nil if `string` is not canonical unpadded base64url.
    public static func decode(_ string: some StringProtocol) -> [UInt8]? {
        let chars = Array(string.utf8)
        if chars.count % 4 == 1 { return nil }
        return chars.withUnsafeBufferPointer { chars in
            reverse.withUnsafeBufferPointer { reverse -> [UInt8]? in
                // One pass: four characters to three bytes; any character outside the alphabet maps
                // to 0xFF, and OR-ing the four values shows it without a branch per character.
                var out = [UInt8]()
                out.reserveCapacity(chars.count * 3 / 4)
                var i = 0
                while i + 4 <= chars.count {
                    let a = reverse[Int(chars[i])], b = reverse[Int(chars[i + 1])]
                    let c = reverse[Int(chars[i + 2])], d = reverse[Int(chars[i + 3])]
                    if (a | b | c | d) & 0xC0 != 0 { return nil }
                    let n = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    out.append(UInt8(n >> 16 & 0xFF))
                    out.append(UInt8(n >> 8 & 0xFF))
                    out.append(UInt8(n & 0xFF))
                    i += 4
                }
                var tail: [UInt8] = []
                for char in chars[i...] {
                    let value = reverse[Int(char)]
                    if value == 0xFF { return nil }
                    tail.append(value)
                }
                switch tail.count {
                case 2:
                    // 12 bits carry one byte; the low 4 bits must be zero or two spellings would decode alike.
                    guard tail[1] & 0x0F == 0 else { return nil }
                    out.append(tail[0] << 2 | tail[1] >> 4)
                case 3:
                    guard tail[2] & 0x03 == 0 else { return nil }
                    let n = UInt32(tail[0]) << 12 | UInt32(tail[1]) << 6 | UInt32(tail[2])
                    out.append(UInt8(n >> 10 & 0xFF))
                    out.append(UInt8(n >> 2 & 0xFF))
                default:
                    break
                }
                return out
            }
        }
    }
}
