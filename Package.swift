// swift-tools-version:6.1
import PackageDescription

// Targets follow ../shared/docs/architecture.md: protocol targets (MQTT) know nothing of the
// gateway; GatewayKit is the shared vocabulary; GatewayCore wires everything together.
let package = Package(
    name: "swift-iot-gateway",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "iot-gateway", targets: ["iot-gateway"]),
        .executable(name: "gateway-bench", targets: ["gateway-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .target(
            name: "GatewayKit",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Collections", package: "swift-collections"),
            ]),
        .target(
            name: "MQTT",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "Modbus",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"]),
        .target(
            name: "OPCUA",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "Storage",
            dependencies: [
                "GatewayKit",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Collections", package: "swift-collections"),
            ],
            exclude: ["README.md"]),
        .target(name: "Expressions", dependencies: ["GatewayKit"], exclude: ["README.md"]),
        .target(name: "Reporting", dependencies: ["GatewayKit"], exclude: ["README.md"]),
        .target(
            name: "ThingsBoard",
            dependencies: [
                "GatewayKit", "MQTT",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "SimulatorConnector",
            dependencies: ["GatewayKit", .product(name: "Logging", package: "swift-log")],
            exclude: ["README.md"]),
        .target(
            name: "MQTTConnector",
            dependencies: [
                "GatewayKit", "Expressions", "MQTT",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"]),
        .target(
            name: "ModbusConnector",
            dependencies: [
                "GatewayKit", "Expressions", "Modbus",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Collections", package: "swift-collections"),
            ],
            exclude: ["README.md"]),
        .target(
            name: "OPCUAConnector",
            dependencies: [
                "GatewayKit", "Expressions", "OPCUA",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            exclude: ["README.md"]),
        // What the Request and REST connectors share: HTTP requests to devices (attribute updates,
        // RPCs) rendered from the same expression keys, sent with async-http-client.
        .target(
            name: "HTTPConnectorKit",
            dependencies: [
                "GatewayKit", "Expressions",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "RequestConnector",
            dependencies: [
                "GatewayKit", "Expressions", "HTTPConnectorKit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"]),
        .target(
            name: "RESTConnector",
            dependencies: [
                "GatewayKit", "Expressions", "HTTPConnectorKit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"]),
        .target(
            name: "SocketConnector",
            dependencies: [
                "GatewayKit", "Expressions",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"]),
        .target(
            name: "GatewayCore",
            dependencies: [
                "GatewayKit", "Storage", "ThingsBoard", "MQTT", "Reporting", "SimulatorConnector", "MQTTConnector",
                "ModbusConnector", "OPCUAConnector", "RequestConnector", "RESTConnector", "SocketConnector",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "iot-gateway",
            dependencies: [
                "GatewayCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "gateway-bench",
            dependencies: [
                "GatewayCore", "Storage", "ThingsBoard", "MQTT", "MQTTConnector", "GatewayKit", "OPCUA", "Reporting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        // Helpers shared by the test targets: free ports, real peer processes (mosquitto, ...).
        .target(
            name: "TestSupport",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"),
        .testTarget(name: "GatewayKitTests", dependencies: ["GatewayKit", "TestSupport"]),
        .testTarget(name: "ExpressionsTests", dependencies: ["Expressions", "GatewayKit", "TestSupport"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting", "GatewayKit"]),
        .testTarget(
            name: "MQTTConnectorTests",
            dependencies: ["MQTTConnector", "GatewayKit", "Expressions", "MQTT", "Reporting", "TestSupport"]),
        .testTarget(
            name: "MQTTTests",
            dependencies: [
                "MQTT", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ]),
        .testTarget(
            name: "ModbusTests",
            dependencies: [
                "Modbus", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]),
        .testTarget(
            name: "ModbusConnectorTests",
            dependencies: ["ModbusConnector", "Modbus", "GatewayKit", "Expressions", "TestSupport"]),
        .testTarget(
            name: "OPCUATests",
            dependencies: [
                "OPCUA", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ]),
        .testTarget(
            name: "OPCUAConnectorTests",
            dependencies: ["OPCUAConnector", "OPCUA", "GatewayKit", "Expressions", "TestSupport"]),
        .testTarget(
            name: "RequestConnectorTests",
            dependencies: ["RequestConnector", "HTTPConnectorKit", "GatewayKit", "Expressions", "TestSupport"]),
        .testTarget(
            name: "RESTConnectorTests",
            dependencies: [
                "RESTConnector", "HTTPConnectorKit", "GatewayKit", "Expressions", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]),
        .testTarget(
            name: "SocketConnectorTests",
            dependencies: [
                "SocketConnector", "GatewayKit", "Expressions", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(name: "SimulatorConnectorTests", dependencies: ["SimulatorConnector", "GatewayKit"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "GatewayKit", "TestSupport"]),
        .testTarget(
            name: "ThingsBoardTests",
            dependencies: ["ThingsBoard", "MQTT", "GatewayKit", "TestSupport"]),
        .testTarget(name: "GatewayCoreTests", dependencies: ["GatewayCore", "GatewayKit", "TestSupport"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["GatewayCore", "GatewayKit", "MQTT", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
