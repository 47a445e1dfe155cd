// swift-tools-version: 6.1
import PackageDescription

/// Settings shared by every Swift target: Swift 6 language mode comes from the tools version.
/// Imports are internal unless marked `public`/`package`, and a file sees the members of a module
/// only if it imports that module itself.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Letterbox",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Letterbox", targets: ["Letterbox"]),
        .library(name: "LetterboxTesting", targets: ["LetterboxTesting"]),
        .executable(name: "letterbox", targets: ["letterbox"]),
        .executable(name: "letterbox-bench", targets: ["letterbox-bench"]),
    ],
    targets: [
        .target(name: "CSystemShims"),
        .target(name: "LetterboxThreads", swiftSettings: swiftSettings),
        .target(name: "LetterboxText", swiftSettings: swiftSettings),
        .target(
            name: "LetterboxNet", dependencies: ["CSystemShims", "LetterboxThreads"], swiftSettings: swiftSettings),
        .target(name: "LetterboxTLS", dependencies: ["LetterboxNet"], swiftSettings: swiftSettings),
        // iconv (legacy charsets) is in glibc on Linux, in its own libiconv on macOS.
        .target(
            name: "LetterboxMIME", dependencies: ["LetterboxText"], swiftSettings: swiftSettings,
            linkerSettings: [.linkedLibrary("iconv", .when(platforms: [.macOS]))]),
        .target(
            name: "LetterboxStore", dependencies: ["LetterboxMIME", "LetterboxText", "LetterboxThreads"],
            swiftSettings: swiftSettings),
        .target(name: "LetterboxFaults", swiftSettings: swiftSettings),
        .target(
            name: "LetterboxSMTP",
            dependencies: ["LetterboxNet", "LetterboxTLS", "LetterboxStore", "LetterboxFaults", "LetterboxText"],
            swiftSettings: swiftSettings),
        .target(
            name: "LetterboxPOP3",
            dependencies: ["LetterboxNet", "LetterboxTLS", "LetterboxStore", "LetterboxText", "LetterboxThreads"],
            swiftSettings: swiftSettings),
        .target(
            name: "LetterboxIMAP",
            dependencies: [
                "LetterboxNet", "LetterboxTLS", "LetterboxStore", "LetterboxMIME", "LetterboxText", "LetterboxThreads",
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "LetterboxHTTP",
            dependencies: ["LetterboxNet", "LetterboxStore", "LetterboxMIME", "LetterboxFaults", "LetterboxThreads"],
            swiftSettings: swiftSettings),
        .target(
            name: "Letterbox",
            dependencies: [
                "LetterboxMIME", "LetterboxNet", "LetterboxTLS", "LetterboxStore", "LetterboxSMTP", "LetterboxPOP3",
                "LetterboxIMAP", "LetterboxHTTP",
                "LetterboxFaults",
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "LetterboxTesting",
            dependencies: ["Letterbox", "LetterboxFaults", "LetterboxMIME", "LetterboxNet", "LetterboxStore"],
            swiftSettings: swiftSettings),
        // The command line sets members of the facade's types (Logger, SMTPConfiguration,
        // Credentials, fault rules), which their defining modules must be imported for; the health
        // check is an HTTP client over LetterboxNet's connections.
        .executableTarget(
            name: "letterbox",
            dependencies: [
                "Letterbox", "LetterboxFaults", "LetterboxNet", "LetterboxSMTP", "LetterboxStore", "LetterboxText",
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "letterbox-bench",
            dependencies: [
                "Letterbox", "LetterboxTesting", "LetterboxNet", "LetterboxTLS", "LetterboxFaults", "LetterboxStore",
                "LetterboxMIME",
                "TestSupport",
            ],
            swiftSettings: swiftSettings),
        // Helpers the test targets and the benchmark share (fixtures, a guard time, reference
        // servers' processes); no library product includes it.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: swiftSettings),
        .testTarget(
            name: "LetterboxNetTests", dependencies: ["LetterboxNet", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "LetterboxTLSTests", dependencies: ["LetterboxTLS", "LetterboxNet", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "LetterboxMIMETests", dependencies: ["LetterboxMIME", "LetterboxText", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "LetterboxStoreTests",
            dependencies: ["LetterboxStore", "LetterboxMIME", "LetterboxThreads", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(name: "LetterboxFaultsTests", dependencies: ["LetterboxFaults"], swiftSettings: swiftSettings),
        .testTarget(
            name: "LetterboxSMTPTests",
            dependencies: ["LetterboxSMTP", "LetterboxStore", "LetterboxFaults", "LetterboxNet", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "LetterboxPOP3Tests",
            dependencies: ["LetterboxPOP3", "LetterboxStore", "LetterboxNet", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "LetterboxIMAPTests",
            dependencies: ["LetterboxIMAP", "LetterboxStore", "LetterboxNet", "LetterboxMIME", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "LetterboxTestingTests",
            dependencies: [
                "LetterboxTesting", "Letterbox", "LetterboxFaults", "LetterboxMIME", "LetterboxSMTP", "LetterboxStore",
                "letterbox",
                "TestSupport",
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "LetterboxHTTPTests",
            dependencies: [
                "LetterboxHTTP", "LetterboxStore", "LetterboxNet", "LetterboxFaults", "LetterboxMIME", "TestSupport",
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "LetterboxIntegrationTests",
            dependencies: [
                "Letterbox", "LetterboxNet", "LetterboxStore", "LetterboxFaults", "LetterboxSMTP", "letterbox",
                "letterbox-bench", "TestSupport",
            ],
            swiftSettings: swiftSettings),
    ]
)
