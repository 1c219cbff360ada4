// swift-tools-version: 6.2
import PackageDescription

// An adapter-like program built the way a department's own project would use the SDK: a
// separate package that depends on SingleWindowHub's `HubClient` product (here by path; in
// a real project by its git URL and version).
let package = Package(
    name: "RegisterAndListen",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "SingleWindowHub", path: "../.."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "RegisterAndListen",
            dependencies: [
                .product(name: "HubClient", package: "SingleWindowHub"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
                .enableUpcomingFeature("InternalImportsByDefault"),
            ]
        )
    ]
)
