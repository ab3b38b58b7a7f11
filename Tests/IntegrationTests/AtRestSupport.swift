import Crypto
import Foundation
import ShareBusCrypto

extension DataKeyring {
    /// The same keyring for every bus started on `directory`, so that a test which stops a bus and starts
    /// it again on its folder reads what the first run sealed (as `serve` does with `Certs/bus/data-keys`).
    static func fixed(for directory: String) -> DataKeyring {
        func key(_ label: String) -> [UInt8] { Array(SHA256.hash(data: Data("\(label)\u{0}\(directory)".utf8))) }
        // Both keys are 32 bytes (SHA-256 digests) under a valid id, so this cannot fail.
        return try! DataKeyring(dataKeys: ["d1": key("data")], current: "d1", indexKey: key("index"))
    }
}
