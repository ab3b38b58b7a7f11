import Crypto
import Foundation
import ShareBusCore
import ShareBusTesting
import Testing
import X509

@testable import ShareBusCrypto

/// The fixed instant every test PKI is made at, so certificate validity never depends on the wall clock.
let referenceTime = Date(timeIntervalSince1970: 1_795_305_600)  // 2026-11-22T00:00:00Z

func makeCA(organization: String = "国家数据局 sharebus test", at now: Date = referenceTime) throws -> PlatformCA {
    try PlatformCA.create(organization: organization, now: now)
}

/// Runs a tool and answers its exit status with stdout and stderr together.
func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    try ChildProcess.run(executable, arguments)
}

let opensslPath = "/usr/bin/openssl"
var hasOpenSSL: Bool { FileManager.default.isExecutableFile(atPath: opensslPath) }

/// A fresh directory for files handed to openssl.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("sharebus-crypto-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
