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
    ],
    targets: [
        .systemLibrary(
            name: "CSystemd",
            path: "Sources/CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        .target(name: "IncidentCore", swiftSettings: strict),
        .target(
            name: "IncidentRules",
            dependencies: ["IncidentCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(name: "IncidentIngest", dependencies: ["IncidentCore", "CSystemd"], swiftSettings: strict),
        .target(name: "IncidentEngine", dependencies: ["IncidentCore", "IncidentRules"], swiftSettings: strict),
        .target(
            name: "IncidentStore",
            dependencies: ["IncidentCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "incidentd",
            dependencies: [
                "IncidentCore", "IncidentRules",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "incidentctl",
            dependencies: [
                "IncidentCore", "IncidentRules", "IncidentIngest", "IncidentEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "engine-bench",
            dependencies: ["IncidentCore", "IncidentRules", "IncidentEngine"],
            path: "Benchmarks/EngineBenchmark",
            swiftSettings: strict
        ),
        .testTarget(name: "IncidentCoreTests", dependencies: ["IncidentCore"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "IncidentRulesTests",
            dependencies: ["IncidentRules", "IncidentIngest"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "IncidentIngestTests", dependencies: ["IncidentIngest"], resources: [.copy("Fixtures")]),
        .testTarget(name: "IncidentEngineTests", dependencies: ["IncidentEngine", "IncidentIngest"]),
        .testTarget(
            name: "IncidentStoreTests",
            dependencies: ["IncidentStore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "IntegrationTests", dependencies: ["IncidentCore"]),
    ]
)
