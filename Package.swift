// swift-tools-version: 6.2
import PackageDescription

/// One set of settings for every Swift target: Swift 6 language mode, warnings are errors.
/// `treatAllWarnings` (SE-0480) applies to this package only when it is the root of the
/// build, so a package depending on ours is not affected; `unsafeFlags` would make SwiftPM
/// refuse our library products as a versioned dependency.
let strict: [SwiftSetting] = [
    .treatAllWarnings(as: .error)
]

/// `strict` plus the upcoming features Hummingbird enables, on the modules converted so far.
/// The others need, file by file, `public import` of the modules their public API shows and
/// an import of each module whose members they use (HubStore and HubServer then depend on
/// SwiftProtobuf directly).
let strictUpcoming: [SwiftSetting] =
    strict + [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
        .enableUpcomingFeature("InternalImportsByDefault"),
    ]

/// The same for C targets (the C adapter kit): -Wall -Wextra, every warning is an error.
let strictC: [CSetting] = [
    .enableWarning("all"),
    .enableWarning("extra"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "SingleWindowHub",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "swhub", targets: ["swhub"]),
        .library(name: "HubClient", targets: ["HubClient"]),
        .library(name: "HubConfigKit", targets: ["HubConfigKit"]),
        .library(name: "ZeroMQ", targets: ["ZeroMQ"]),
        .library(name: "CHubClient", targets: ["CHubClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/drmohundro/SWXMLHash", from: "8.1.1"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"], swiftSettings: strictUpcoming),
        // The thread-loop primitive, for every part that owns a thread (hub and SDK alike).
        .target(name: "HubThreads", swiftSettings: strict),
        // A thread loop as a swift-service-lifecycle Service, for the hub's parts.
        .target(
            name: "HubLifecycle",
            dependencies: ["HubThreads", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            swiftSettings: strict
        ),
        // xxHash (XXH3), for the journal's per-record checksum (apt: libxxhash-dev).
        .systemLibrary(name: "CXXHash", providers: [.apt(["libxxhash-dev"])]),
        // zlib (gzip), for the journal's archive segments (apt: zlib1g-dev).
        .systemLibrary(name: "CZLib", providers: [.apt(["zlib1g-dev"])]),
        // libgcrypt, for SM3 and SM4-GCM under `crypto: sm` (apt: libgcrypt20-dev).
        .systemLibrary(name: "CGcrypt", providers: [.apt(["libgcrypt20-dev"])]),
        // The hub's cryptography: SM3, authenticated encryption of personal fields, keys.
        .target(
            name: "HubCrypto",
            dependencies: [
                "CGcrypt", .product(name: "Crypto", package: "swift-crypto"),
                // ProcessLaunch, which starts the master key command.
                "HubThreads",
                // The data-key vault, a SQLite file of its own.
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictUpcoming
        ),
        // sqlite3_config, variadic and so not callable from Swift (SQLiteProcessSettings).
        .target(name: "CSQLiteSettings", cSettings: strictC, linkerSettings: [.linkedLibrary("sqlite3")]),
        // glibc's mallopt, for the executable's allocator settings (MallocTuning).
        .systemLibrary(name: "CGlibcMalloc"),
        // prctl and setrlimit, so `swhub serve` leaves no core dump holding keys (CoreDumps).
        .systemLibrary(name: "CProcessControl"),
        // The C adapter kit: libzmq + protobuf-c (apt: libzmq3-dev, libprotobuf-c-dev).
        .target(
            name: "CHubClient",
            cSettings: strictC,
            linkerSettings: [.linkedLibrary("zmq"), .linkedLibrary("protobuf-c")]
        ),
        .executableTarget(name: "swhub-c-register", dependencies: ["CHubClient"], cSettings: strictC),
        .executableTarget(name: "swhub-c-driver", dependencies: ["CHubClient"], cSettings: strictC),
        .target(
            name: "HubProtocol",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: strictUpcoming
        ),
        // Key files and client config files: what a client needs to read, without the hub's logic.
        .target(
            name: "HubConfigKit",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: strictUpcoming
        ),
        .target(
            name: "HubCore",
            dependencies: [
                "HubConfigKit", "HubProtocol",
                .product(name: "Yams", package: "Yams"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "HubStore",
            dependencies: [
                "HubCore", "HubProtocol", "HubThreads", "HubLifecycle", "CXXHash", "CZLib", "HubCrypto", "CSQLiteSettings",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The journal in PostgreSQL (one server or a Patroni cluster), through postgres-nio.
        .target(
            name: "HubStorePostgres",
            dependencies: [
                "HubCore", "HubStore", "HubProtocol", "HubLifecycle", "HubThreads",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The router's decisions (RouterCore): no sockets, no disk.
        .target(
            name: "HubRouting",
            dependencies: [
                "HubProtocol", "HubCore", "HubStore", "HubThreads",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Real servers started on this machine in temporary directories, on loopback ports:
        // PostgreSQL (with standbys), Patroni and etcd, as an unprivileged user under root. For
        // the tests and for `swhub bench`'s PostgreSQL cases.
        .target(name: "LocalServers", dependencies: ["HubThreads"], swiftSettings: strict),
        // An in-memory journal and a harness driving RouterCore, for in-process tests.
        .target(
            name: "HubTestSupport",
            dependencies: [
                "HubProtocol", "HubCore", "HubStore", "HubRouting", "LocalServers",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "HubServer",
            dependencies: [
                "ZeroMQ", "HubProtocol", "HubConfigKit", "HubCore", "HubStore", "HubRouting", "HubThreads", "HubLifecycle",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "HubMonitor",
            dependencies: [
                "HubConfigKit", "HubCore", "HubStore", "HubServer", "HubLifecycle",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "HubClient",
            dependencies: [
                "ZeroMQ", "HubProtocol", "HubConfigKit", "HubThreads",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: strictUpcoming
        ),
        .target(name: "FlowSamples", dependencies: ["HubProtocol"], swiftSettings: strict),
        // Reports people read (`swhub report`, the monitor's /statistics): JSON, CSV (CSV.swift),
        // HTML (swift-mustache) with gnuplot's SVG charts, PDF printed by headless Chromium.
        .target(
            name: "HubReports",
            dependencies: [
                // ProcessLaunch, which starts gnuplot and Chromium.
                "HubCore", "HubThreads",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "CSV", package: "CSV.swift"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "DepartmentFormats",
            dependencies: [
                "HubProtocol",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "SWXMLHash", package: "SWXMLHash"),
                .product(name: "CSV", package: "CSV.swift"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Adapters",
            dependencies: [
                "HubProtocol", "HubClient", "HubConfigKit", "DepartmentFormats", "HubThreads",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "swhub",
            dependencies: [
                "ZeroMQ", "HubProtocol", "HubCore", "HubStore", "HubStorePostgres", "HubServer", "HubMonitor", "HubClient", "FlowSamples",
                "Adapters", "DepartmentFormats", "CGlibcMalloc", "CHubClient", "HubConfigKit", "LocalServers",
                "HubRouting",
                "HubCrypto", "CProcessControl", "HubReports", "HubThreads",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"], swiftSettings: strict),
        .testTarget(name: "HubThreadsTests", dependencies: ["HubThreads"], swiftSettings: strict),
        .testTarget(
            name: "HubCryptoTests", dependencies: ["HubCrypto", "HubTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
        .testTarget(
            name: "HubLifecycleTests",
            dependencies: [
                "HubLifecycle", "HubThreads",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "HubProtocolTests", dependencies: ["HubProtocol"], swiftSettings: strict),
        .testTarget(name: "HubReportsTests", dependencies: ["HubReports", "HubCore"], swiftSettings: strict),
        .testTarget(name: "HubConfigKitTests", dependencies: ["HubConfigKit"], swiftSettings: strictUpcoming),
        .testTarget(
            name: "HubCoreTests",
            dependencies: [
                "HubCore", "HubConfigKit", "HubProtocol", "FlowSamples", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HubStoreTests",
            dependencies: [
                "HubStore", "HubStorePostgres", "HubTestSupport", "HubCore", "HubProtocol", "HubLifecycle", "HubThreads", "FlowSamples",
                "HubCrypto",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DepartmentFormatsTests",
            dependencies: [
                "DepartmentFormats", "HubProtocol", "FlowSamples", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                // The reconciliation of the payments a camt file becomes (CamtReconcileTests).
                "HubCore",
                // ProcessLaunch, which starts xmllint.
                "HubThreads",
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AdaptersTests",
            dependencies: [
                "Adapters", "HubConfigKit", "DepartmentFormats", "HubProtocol", "HubClient",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RouterCoreTests",
            dependencies: [
                "HubTestSupport", "HubRouting", "HubCore", "HubStore", "HubProtocol", "FlowSamples",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The real PostgreSQL, etcd and Patroni the store tests start (HubTestSupport's harness).
        .testTarget(name: "PostgresHarnessTests", dependencies: ["HubTestSupport", "HubThreads"], swiftSettings: strict),
        // The PostgreSQL journal's reads, verifier and migration, against a real PostgreSQL.
        .testTarget(
            name: "HubStorePostgresTests",
            dependencies: [
                "HubStorePostgres", "HubStore", "HubCore", "HubTestSupport", "HubCrypto",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HubServerTests",
            dependencies: [
                "HubServer", "HubMonitor", "HubClient", "HubCore", "HubStore", "HubStorePostgres", "HubProtocol", "ZeroMQ", "FlowSamples",
                "Adapters", "CHubClient", "LocalServers", "HubThreads",
                "DepartmentFormats", "HubConfigKit", "HubTestSupport",
                "HubCrypto",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
    ]
)
