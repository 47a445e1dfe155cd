// swift-tools-version: 6.1
// A package that uses Letterbox the way an application's tests do: by path here, by URL for users.
// Built and tested by .ci/run, so a change that breaks consumers fails CI.
import PackageDescription

let package = Package(
    name: "ConsumerOfLetterbox",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Letterbox", path: "../..")],
    targets: [
        .testTarget(
            name: "ConsumerTests",
            dependencies: [.product(name: "LetterboxTesting", package: "Letterbox")])
    ]
)
