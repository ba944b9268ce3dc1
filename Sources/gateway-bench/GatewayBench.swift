import ArgumentParser
import Foundation
import GatewayCore
import GatewayKit
import Logging
import Storage
import ThingsBoard

/// Benchmarks of the gateway's own data path, built in release: `swift run -c release gateway-bench`.
@main
struct GatewayBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway-bench",
        abstract: "Measure the gateway's data path on this machine (run with -c release).",
        subcommands: [UplinkBench.self, IdleBench.self, ModbusSimulatorCommand.self, MQTTLoadCommand.self, MQTTConvertCommand.self, MQTTRequestsCommand.self, MQTTRelayCommand.self, OPCUASimulatorCommand.self],
        defaultSubcommand: UplinkBench.self)
}

/// Pushes events through DataIngest → storage → Uplink → a local mosquitto (QoS 1, acknowledged)
/// and reports delivered events and datapoints per second, CPU seconds per 100k events and peak
/// RSS, once per storage type, each in a fresh child process so the figures do not mix.
struct UplinkBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "uplink")

    @Option(help: "memory, file, sqlite or all.") var storage = "all"
    @Option(help: "Events to push per storage type.") var events = 200_000
    @Option(help: "Telemetry datapoints per event.") var datapoints = 3
    @Option(help: "Simulated devices.") var devices = 100
    @Option(help: "Broker port; when absent a mosquitto is started on a free port.") var brokerPort: Int?
    @Flag(help: "Internal: run one storage type in this process and print a JSON result line.") var child = false

    func run() async throws {
        if child {
            guard let brokerPort else { throw ValidationError("--child needs --broker-port") }
            let result = try await UplinkRun(storageType: storage, events: events, datapoints: datapoints,
                                             devices: devices, port: brokerPort).run()
            print(result.jsonString)
            return
        }
        let broker = try brokerPort.map { BrokerHandle(port: $0) } ?? BrokerHandle.start()
        defer { broker.stop() }
        let types = storage == "all" ? ["memory", "file", "sqlite"] : [storage]
        print("uplink benchmark: \(events) events × \(datapoints) datapoints, \(devices) devices, QoS 1 to mosquitto on 127.0.0.1:\(broker.port)")
        print("storage   events/s   datapoints/s   CPU-s/100k events   peak RSS MiB   wall s")
        for type in types {
            let output = try runChild(arguments: ["uplink", "--child", "--storage", type, "--events", "\(events)",
                                                  "--datapoints", "\(datapoints)", "--devices", "\(devices)",
                                                  "--broker-port", "\(broker.port)"])
            guard let line = output.split(separator: "\n").last, let result = try? JSONValue.parse(String(line)) else {
                print("\(type): failed:\n\(output)")
                continue
            }
            let eventsPerSecond = result["eventsPerSecond"]?.doubleValue ?? 0
            print(String(format: "%-8@ %9.0f %14.0f %19.2f %14.1f %8.1f", type as NSString, eventsPerSecond,
                         eventsPerSecond * Double(datapoints), result["cpuSecondsPer100k"]?.doubleValue ?? 0,
                         result["peakRSSMiB"]?.doubleValue ?? 0, result["wallSeconds"]?.doubleValue ?? 0))
        }
    }
}

/// Starts the real `iot-gateway` with no connectors against a local broker and samples its idle
/// RSS and CPU.
struct IdleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "idle")
    @Option(help: "Seconds to sample after start-up.") var seconds = 10

    func run() async throws {
        let broker = try BrokerHandle.start()
        defer { broker.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gw-idle-\(getpid())")
        let config = directory.appendingPathComponent("config")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
        {"thingsboard": {"host": "127.0.0.1", "port": \(broker.port), "security": {"type": "accessToken", "accessToken": "IDLE"}},
         "storage": {"type": "sqlite", "data_file_path": "\(directory.path)/data/"}, "connectors": []}
        """.write(to: config.appendingPathComponent("tb_gateway.json"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = siblingExecutable("iot-gateway")
        process.arguments = ["run", "--config", config.path, "--log-level", "warning"]
        process.currentDirectoryURL = directory
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        try await Task.sleep(for: .seconds(3))
        let before = ProcessSample(pid: process.processIdentifier)
        try await Task.sleep(for: .seconds(seconds))
        let after = ProcessSample(pid: process.processIdentifier)
        let cpu = (after.cpuSeconds - before.cpuSeconds) / Double(seconds) * 100
        print(String(format: "idle gateway (sqlite storage, no connectors): RSS %.1f MiB (private %.1f MiB, mapped code %.1f MiB), CPU %.2f %% of one core over %d s, %d threads",
                     after.rssMiB, after.anonymousRSSMiB, after.fileRSSMiB, cpu, seconds, after.threads))
    }
}

/// One storage type, in this process.
struct UplinkRun {
    let storageType: String
    let events: Int
    let datapoints: Int
    let devices: Int
    let port: Int

    func run() async throws -> JSONValue {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gw-bench-\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let section: JSONValue
        switch storageType {
        case "memory": section = ["type": "memory", "max_records_count": .int(Int64(events) + 1000)]
        case "file": section = ["type": "file", "data_folder_path": .string(directory.path + "/"), "max_file_count": 1000]
        default: section = ["type": "sqlite", "data_file_path": .string(directory.path + "/")]
        }
        let logger = Logger(label: "bench")
        let configuration = try StorageConfiguration(json: section, file: "bench")
        let storage = try makeEventStorage(configuration, baseDirectory: directory.path, logger: logger)
        let ingest = DataIngest(storage: storage, logger: logger)
        let client = ThingsBoardClient(
            configuration: ThingsBoardConnectionConfiguration(host: "127.0.0.1", port: port, credentials: .accessToken("BENCH"),
                                                              maxPayloadBytes: 52_428, sessionLimitsTimeout: .milliseconds(200)),
            logger: logger)
        let uplink = Uplink(storage: storage, client: client, logger: logger, packSize: configuration.readPackSize)

        let start = ProcessSample(pid: getpid())
        let clock = ContinuousClock()
        let began = clock.now
        let identity = ConnectorIdentity(name: "bench", type: "bench", id: "bench")
        await withTaskGroup(of: Void.self) { services in
            services.addTask { await client.run() }
            services.addTask { await ingest.runWriter() }
            services.addTask { await uplink.run() }
            // Producers: one task per device group, each queueing its readings like a streaming
            // connector (the MQTT connector submits; a connector that waits for each write is
            // paced by the commit round trip instead).
            await withTaskGroup(of: Void.self) { producers in
                let perProducer = events / 8
                for producer in 0..<8 {
                    producers.addTask {
                        for index in 0..<perProducer {
                            var values: JSONObject = [:]
                            for key in 0..<datapoints { values["value\(key)"] = .double(Double(index) + Double(key) / 10) }
                            let device = "Device \((producer * perProducer + index) % devices)"
                            _ = await ingest.submit(ConvertedData(deviceName: device, deviceType: "bench",
                                                                  telemetry: [TelemetryEntry(values: values)]), from: identity)
                        }
                    }
                }
            }
            let expected = Int64(events / 8 * 8)
            var lastReport = clock.now
            while await uplink.statistics().eventsDelivered < expected {
                try? await Task.sleep(for: .milliseconds(20))
                if clock.now - lastReport > .seconds(5) {
                    lastReport = clock.now
                    let delivered = await uplink.statistics().eventsDelivered
                    let accepted = await ingest.statistics().eventsAccepted
                    FileHandle.standardError.write(Data("progress: accepted \(accepted), delivered \(delivered) of \(expected)\n".utf8))
                }
            }

            services.cancelAll()
        }
        let elapsed = (clock.now - began).seconds
        let end = ProcessSample(pid: getpid())
        await storage.close()
        let delivered = Double(events / 8 * 8)
        return [
            "storage": .string(storageType),
            "eventsPerSecond": .double(delivered / elapsed),
            "cpuSecondsPer100k": .double((end.cpuSeconds - start.cpuSeconds) / delivered * 100_000),
            "peakRSSMiB": .double(end.peakRSSMiB),
            "wallSeconds": .double(elapsed),
        ]
    }
}
