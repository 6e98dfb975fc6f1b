// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "incidentd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "incidentd", targets: ["incidentd"]),
        .executable(name: "incidentctl", targets: ["incidentctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSystemd",
            path: "Sources/CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        // zstd, for the engine checkpoint's compression (a sixth of the bytes to commit at 100,000 alerts).
        .systemLibrary(
            name: "CZstd",
            path: "Sources/CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        // zlib, for reading the checkpoint's first compressed form, which 2026-12-07's build wrote.
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "IncidentCore", swiftSettings: strict),
        // The rule language (SPEC §5–§7): rules, matchers, correlation, escalation policies, people and schedules,
        // rule tests, and the YAML reading and diagnostics the config shares. Nothing about the daemon's sockets,
        // listeners, auth or notifiers.
        .target(
            name: "IncidentRules",
            dependencies: ["IncidentCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        // The daemon's config file, incidentd.yaml (SPEC §3): sources, store, HTTP and auth, notifiers, limits.
        // Read with IncidentRules' YAML reader; `validate` loads the rules it names.
        .target(
            name: "IncidentConfig",
            dependencies: ["IncidentCore", "IncidentRules", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        // The payload decoders (webhooks, socket lines, journal entries): Foundation only, so that the CLI, the
        // fuzz targets and the HTTP edge can decode without NIO or libsystemd.
        .target(name: "IncidentPayload", dependencies: ["IncidentCore"], swiftSettings: strict),
        // Reading journal files and recorded payloads (libsystemd, no NIO): the journal source reads through it, and
        // `incidentctl replay` reads recordings with it without linking the daemon's sources.
        .target(
            name: "IncidentJournal", dependencies: ["IncidentCore", "IncidentPayload", "CSystemd"],
            swiftSettings: strict
        ),
        .target(
            name: "IncidentIngest",
            dependencies: [
                "IncidentCore", "IncidentPayload", "IncidentJournal",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "IncidentEngine", dependencies: ["IncidentCore", "IncidentRules", "CZlib", "CZstd"],
            swiftSettings: strict),
        // Who may use the web pages (SPEC §14): the users file with bcrypt hashes, sessions, CSRF tokens, the login
        // throttle, trusted reverse proxies. No NIO or Hummingbird, so incidentctl can edit the users file.
        .target(
            name: "IncidentAccess",
            dependencies: ["IncidentCore", .product(name: "HummingbirdBcrypt", package: "hummingbird-auth")],
            swiftSettings: strict
        ),
        // The HTML of the console, portal, status page and knowledge base (SPEC §14): Mustache templates compiled
        // into the binary, view models, the safe Markdown renderer and the SVG charts. Pure: no I/O, no server.
        .target(
            name: "IncidentWeb",
            dependencies: ["IncidentCore", .product(name: "Mustache", package: "swift-mustache")],
            swiftSettings: strict
        ),
        .target(
            name: "IncidentStore",
            dependencies: [
                "IncidentCore", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        // The PostgreSQL store (SPEC §15): the same ports as the SQLite store over postgres-nio, for several
        // instances sharing one database.
        .target(
            name: "IncidentPostgres",
            dependencies: [
                "IncidentCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "IncidentServer",
            dependencies: [
                "IncidentCore", "IncidentAccess", "IncidentWeb",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "IncidentClient",
            // No NIO and no HTTP library: incidentctl speaks HTTP/1.1 on the control socket itself.
            dependencies: ["IncidentCore"],
            swiftSettings: strict
        ),
        .target(
            name: "IncidentNotify",
            dependencies: [
                "IncidentCore", "CSystemd",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "IncidentDaemon",
            dependencies: [
                "IncidentCore", "IncidentRules", "IncidentConfig", "IncidentEngine", "IncidentStore",
                "IncidentPostgres",
                "IncidentIngest", "IncidentServer", "IncidentNotify", "IncidentAccess", "CSystemd",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "incidentd",
            dependencies: [
                "IncidentCore", "IncidentRules", "IncidentConfig", "IncidentDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "incidentctl",
            dependencies: [
                "IncidentCore", "IncidentRules", "IncidentConfig", "IncidentPayload", "IncidentJournal", "IncidentEngine",
                "IncidentClient", "IncidentAccess", "IncidentStore", "IncidentPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "engine-bench",
            dependencies: ["IncidentCore", "IncidentRules", "IncidentEngine"],
            path: "Benchmarks/EngineBenchmark",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "web-bench", dependencies: ["IncidentCore", "IncidentStore", "IncidentWeb"],
            path: "Benchmarks/WebBenchmark", swiftSettings: strict
        ),
        .executableTarget(name: "ingest-bench", path: "Benchmarks/IngestBenchmark", swiftSettings: strict),
        .executableTarget(
            name: "payload-bench", dependencies: ["IncidentCore", "IncidentPayload"],
            path: "Benchmarks/PayloadBenchmark", swiftSettings: strict
        ),
        // libFuzzer targets for every parser (Fuzz/run, docs/FUZZING.md). A plain build replays input files (the
        // reproducer); built with -sanitize=fuzzer -DFUZZING, libFuzzer drives the same code. The parsers' target
        // links no NIO or Hummingbird, which make a sanitized build several times slower; the edge one does.
        .target(name: "FuzzRunDriver", path: "Fuzz/RunDriver"),
        .target(
            name: "FuzzSupport", dependencies: ["FuzzRunDriver", "IncidentCore"], path: "Fuzz/Support",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "incidentd-fuzz",
            dependencies: [
                "FuzzSupport", "IncidentCore", "IncidentPayload", "IncidentRules", "IncidentConfig", "IncidentEngine",
                "IncidentAccess", "IncidentWeb", "IncidentClient",
            ],
            path: "Fuzz/Parsers",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "incidentd-fuzz-edge",
            dependencies: [
                "FuzzSupport", "IncidentCore", "IncidentIngest", "IncidentServer", "IncidentWeb",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Fuzz/Edge",
            swiftSettings: strict
        ),
        .testTarget(name: "IncidentCoreTests", dependencies: ["IncidentCore"], resources: [.copy("Fixtures")]),
        // The rule tests read notifier names from the shipped dev config and the fixtures' config, as
        // `incidentctl rules check --config` does; the config file's own tests are IncidentConfigTests.
        .testTarget(
            name: "IncidentRulesTests",
            dependencies: ["IncidentRules", "IncidentConfig", "IncidentIngest", "TestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "IncidentConfigTests", dependencies: ["IncidentConfig", "IncidentRules", "TestSupport"]),
        .testTarget(
            name: "IncidentIngestTests", dependencies: ["IncidentIngest", "TestSupport"], resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "IncidentAccessTests", dependencies: ["IncidentAccess"]),
        .testTarget(name: "IncidentWebTests", dependencies: ["IncidentWeb"]),
        .testTarget(
            name: "IncidentEngineTests",
            dependencies: ["IncidentEngine", "IncidentConfig", "IncidentIngest", "TestSupport"]
        ),
        .testTarget(
            name: "IncidentStoreTests",
            dependencies: [
                "IncidentStore", "IncidentPostgres", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Test helpers more than one test target uses (the HTTP receiver the notifier tests page, the one wait helper).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "IncidentCore", "IncidentStore", "IncidentPostgres", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "IncidentServerTests",
            dependencies: [
                "IncidentServer", "IncidentClient", "IncidentAccess", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "IncidentDaemonTests",
            dependencies: [
                "IncidentDaemon", "IncidentNotify", "IncidentStore", "IncidentPostgres", "IncidentRules",
                "IncidentConfig", "IncidentEngine", "TestSupport",
            ]
        ),
        .testTarget(
            name: "IncidentNotifyTests",
            dependencies: ["IncidentNotify", "IncidentCore", "TestSupport"]
        ),
    ]
)
