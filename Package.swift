// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way: BrewCore ← BrewControl/BrewHAL ← BrewDrivers/BrewSim/BrewLinux;
// BrewConfig and BrewLog sit beside them; BrewRuntime wires a rig to the control tick;
// brewctl only parses the command line and chooses a backend. See docs/architecture.md.
let package = Package(
    name: "brewctl",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "brewctl", targets: ["brewctl"]),
        // The real-rig backend's cost per read and per tick (scripts/benchmark-rig).
        .executable(name: "rigbench", targets: ["rigbench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        // C libraries from Debian's -dev packages, used through thin module maps.
        .systemLibrary(name: "CGPIOD", pkgConfig: "libgpiod", providers: [.apt(["libgpiod-dev"])]),
        .systemLibrary(name: "CI2C", providers: [.apt(["libi2c-dev"])]),
        .systemLibrary(name: "CModbus", pkgConfig: "libmodbus", providers: [.apt(["libmodbus-dev"])]),

        .target(name: "BrewCore"),
        // The host system beside the control code: signals (the handler in C, as a handler must be)
        // and kernel locks that die with their holder.
        .target(name: "CStopSignals"),
        .target(name: "BrewHost", dependencies: ["CStopSignals"]),
        .target(name: "BrewControl", dependencies: ["BrewCore"]),
        .target(name: "BrewProcess", dependencies: ["BrewCore", "BrewControl"]),
        .target(name: "BrewHAL", dependencies: ["BrewCore"]),
        .target(name: "BrewDrivers", dependencies: ["BrewCore", "BrewHAL"]),
        .target(name: "BrewSim", dependencies: ["BrewCore", "BrewHAL"]),
        .target(name: "BrewLinux", dependencies: ["BrewCore", "BrewHAL", "CGPIOD", "CI2C", "CModbus"]),
        // A rig's devices on real buses: outputs, sensors, bring-up checks. The only module above both
        // the drivers and the Linux backends, so neither has to know the other.
        // A rig's devices through their drivers on any buses (real or simulated): sensors, voting
        // between redundant probes, outputs, interlocks, bus recovery. Knows no bus library.
        .target(name: "BrewRigIO", dependencies: ["BrewCore", "BrewHAL", "BrewDrivers", "BrewControl", "BrewProcess"]),
        .target(name: "BrewRig", dependencies: ["BrewCore", "BrewHAL", "BrewDrivers", "BrewLinux", "BrewProcess", "BrewRuntime", "BrewRigIO", "BrewHost"]),
        .target(name: "BrewConfig", dependencies: ["BrewCore", .product(name: "TOMLKit", package: "TOMLKit")]),
        .target(name: "BrewImport", dependencies: ["BrewCore", "BrewConfig"]),
        .target(name: "BrewLog", dependencies: ["BrewCore", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "BrewRuntime", dependencies: [
            "BrewCore", "BrewControl", "BrewProcess", "BrewHAL", "BrewDrivers", "BrewSim", "BrewLog", "BrewRigIO",
        ]),
        .executableTarget(name: "brewctl", dependencies: [
            "BrewCore", "BrewProcess", "BrewConfig", "BrewImport", "BrewLog", "BrewRuntime", "BrewSim", "BrewLinux", "BrewRig", "BrewRigIO", "BrewDrivers", "BrewHost",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .executableTarget(name: "rigbench", dependencies: ["BrewCore", "BrewConfig", "BrewHAL", "BrewProcess", "BrewRig", "BrewRigIO", "BrewSim"]),

        .testTarget(name: "BrewCoreTests", dependencies: ["BrewCore"]),
        .testTarget(name: "BrewControlTests", dependencies: ["BrewControl", "BrewCore"]),
        .testTarget(name: "BrewProcessTests", dependencies: ["BrewProcess", "BrewControl", "BrewCore"]),
        .testTarget(name: "BrewSimTests", dependencies: ["BrewSim", "BrewDrivers", "BrewHAL", "BrewCore"]),
        // Real bus peers (pymodbus, socat) started by the tests that need them.
        .target(name: "BrewTestSupport", path: "Tests/BrewTestSupport"),
        .testTarget(name: "BrewLinuxTests", dependencies: ["BrewLinux", "BrewHAL", "BrewTestSupport"],
                    exclude: ["Peers"]),   // the Python peers are run, not built
        .testTarget(name: "BrewConfigTests", dependencies: ["BrewConfig", "BrewCore"]),
        .testTarget(name: "BrewRigTests", dependencies: ["BrewRig", "BrewLinux", "BrewDrivers", "BrewHAL", "BrewConfig", "BrewCore",
                                                     "BrewSim", "BrewProcess", "BrewRuntime", "BrewRigIO", "BrewTestSupport"]),
        .testTarget(name: "BrewImportTests", dependencies: ["BrewImport", "BrewConfig", "BrewCore"],
                    resources: [.copy("Fixtures")]),
        // GRDB directly too: to write rows as older versions of the log did.
        .testTarget(name: "BrewLogTests", dependencies: ["BrewLog", "BrewCore", .product(name: "GRDB", package: "GRDB.swift")]),
        // The terminal's layout (status block, display widths) tested directly, beside the tests
        // that run the binary at a terminal.
        .testTarget(name: "BrewctlTests", dependencies: ["brewctl", "BrewRuntime", "BrewCore"]),
        .testTarget(name: "BrewRuntimeTests", dependencies: [
            "BrewRuntime", "BrewProcess", "BrewConfig", "BrewLog", "BrewSim", "BrewCore", "BrewLinux", "BrewRigIO", "BrewHAL", "BrewTestSupport",
            "BrewHost",
            // GRDB directly too: to damage a log the way a hand edit or another program would.
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
    ]
)
