// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for the parsers and validators that see untrusted bytes first. Built apart
// from the bus (`make fuzz`, scratch path .build-fuzz) because every target is compiled with
// `-sanitize=fuzzer`; each executable exports `LLVMFuzzerTestOneInput` and its main hands that
// to libFuzzer's driver (see CLibFuzzer). Run them with `make fuzz` (scripts/fuzz.sh).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let bus: [Target.Dependency] = [
    .product(name: "ShareBusCore", package: "sharebus"),
    .product(name: "ShareBusCrypto", package: "sharebus"),
]

let package = Package(
    name: "sharebus-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "sharebus", path: ".."),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
    ],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: bus + ["CLibFuzzer"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "FuzzJWS",
            dependencies: bus + [
                "FuzzSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(name: "FuzzStrictJSON", dependencies: bus + ["FuzzSupport"], swiftSettings: swiftSettings),
        .executableTarget(name: "FuzzCanonicalJSON", dependencies: bus + ["FuzzSupport"], swiftSettings: swiftSettings),
        .executableTarget(name: "FuzzIdentifiers", dependencies: bus + ["FuzzSupport"], swiftSettings: swiftSettings),
        .executableTarget(name: "FuzzRecord", dependencies: bus + ["FuzzSupport"], swiftSettings: swiftSettings),
    ]
)
