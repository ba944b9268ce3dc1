import Foundation
import GatewayKit
import Logging
import Storage
import ThingsBoard

/// Sends the gateway's statistics to ThingsBoard as gateway-device telemetry (reference §1.11):
/// once at start the machine's size as attributes, then every `statsSendPeriodInSeconds`
/// `machineStats`, `serviceStats` and `connectorsStats` with the counts of that period; custom
/// commands' outputs every `customStatsSendPeriodInSeconds`.
///
/// Counts come from the running parts' cumulative counters: each message carries the difference
/// since the previous one, as the reference clears its counters after sending.
struct StatisticsReporter: Sendable {
    let settings: StatisticsSettings
    let configDirectory: String
    let connectors: ConnectorManager
    let ingest: DataIngest
    let storage: any EventStorage
    let uplink: Uplink
    let client: ThingsBoardClient
    let logger: Logger

    /// Cumulative counters at one instant.
    struct Totals: Sendable, Equatable {
        var machine: MachineUsage
        var processCPUSeconds: Double
        var at: ContinuousClock.Instant
        var published: Int64
        var received: Int64
        var delivered: Int64
        var connectors: [String: (messages: Int64, bytes: Int64, events: Int64, attributes: Int64, telemetry: Int64, errors: Int64)]

        static func == (lhs: Totals, rhs: Totals) -> Bool { lhs.at == rhs.at }
    }

    func run() async {
        guard settings.enabled || settings.customEnabled else { return }
        await withDiscardingTaskGroup { group in
            if settings.enabled { group.addTask { await reportPeriodically() } }
            if settings.customEnabled { group.addTask { await runCustomCommands() } }
        }
    }

    private func reportPeriodically() async {
        try? await client.waitUntilReady()
        let machine = MachineUsage.current(diskPath: configDirectory)
        await publish(["totalMemory": .string(MachineUsage.humanSize(machine.memoryTotalBytes)),
                       "totalDisk": .string(MachineUsage.humanSize(machine.diskTotalBytes)),
                       "cpuCount": .int(Int64(ProcessInfo.processInfo.activeProcessorCount))],
                      topic: GatewayTopics.deviceAttributes)
        // The first report goes out at once, as the reference's (its counts are those since the
        // start), then one every period.
        var previous = startTotals
        while !Task.isCancelled {
            let current = await totals()
            await publish(await message(from: previous, to: current), topic: GatewayTopics.deviceTelemetry)
            previous = current
            do { try await Task.sleep(for: .seconds(settings.sendPeriodSeconds)) } catch { return }
        }
    }

    /// Counters as they were when the process started: all zero but the clock and the machine.
    private var startTotals: Totals {
        Totals(machine: MachineUsage.current(diskPath: configDirectory), processCPUSeconds: 0,
               at: ProcessUsage.startInstant, published: 0, received: 0, delivered: 0, connectors: [:])
    }

    func totals() async -> Totals {
        let ingested = await ingest.statistics()
        let session = await client.statistics()
        var counts: [String: (Int64, Int64, Int64, Int64, Int64, Int64)] = [:]
        for supervisor in connectors.supervisors {
            let name = supervisor.identity.name
            let traffic = supervisor.traffic() ?? ConnectorTraffic()
            let attributes = ingested.attributesPerConnector[name] ?? 0
            counts[name] = (traffic.messagesIn, traffic.bytesIn, ingested.perConnector[name] ?? 0, attributes,
                            (ingested.datapointsPerConnector[name] ?? 0) - attributes, traffic.errors)
        }
        return Totals(machine: MachineUsage.current(diskPath: configDirectory),
                      processCPUSeconds: ProcessUsage.current()?.cpuSeconds ?? 0, at: .now,
                      published: session.messagesPublished, received: session.messagesReceived,
                      delivered: await uplink.statistics().eventsDelivered, connectors: counts)
    }

    func message(from previous: Totals, to current: Totals) async -> JSONValue {
        let elapsed = max(0.001, (current.at - previous.at).seconds)
        let process = ProcessUsage.current()
        let machine = current.machine
        let machineStats: JSONObject = [
            "totalCpuUsage": .double(machine.loadPercent),
            "diskUsage": .double(machine.diskUsedPercent),
            // The reference's "freeMemory" is the share of RAM in use; kept for dashboards built on it.
            "freeMemory": .double(machine.memoryUsedPercent),
            "freeDisk": .string(MachineUsage.humanSize(machine.diskFreeBytes)),
            "gwProcessCpuUsage": .double(((current.processCPUSeconds - previous.processCPUSeconds) / elapsed * 1000).rounded() / 10),
            "gwMemory": .double(machine.memoryPercent(ofResidentBytes: process?.residentBytes ?? 0)),
            "gwProcessMemoryFullInfo": memoryFullInfo(threads: process?.threads ?? 0),
            "msgsSentToPlatform": .int(current.published - previous.published),
            "msgsReceivedFromPlatform": .int(current.received - previous.received),
        ]
        let stored = await storage.statistics()
        var attributesProduced: Int64 = 0, telemetryProduced: Int64 = 0
        for (name, now) in current.connectors {
            let before = previous.connectors[name] ?? (0, 0, 0, 0, 0, 0)
            attributesProduced += now.attributes - before.attributes
            telemetryProduced += now.telemetry - before.telemetry
        }
        let serviceStats: JSONObject = [
            "storageMsgPulled": .int(current.delivered - previous.delivered),
            "storageMsgCount": .int(Int64(stored.events)),
            "platformMsgPushed": .int(current.published - previous.published),
            "platformAttrProduced": .int(attributesProduced),
            "platformTsProduced": .int(telemetryProduced),
        ]
        var connectorsStats: JSONObject = [:]
        for name in current.connectors.keys.sorted() {
            let now = current.connectors[name]!
            let before = previous.connectors[name] ?? (0, 0, 0, 0, 0, 0)
            connectorsStats[name] = [
                "connectorMsgsReceived": .int(now.messages - before.messages),
                "connectorBytesReceived": .int(now.bytes - before.bytes),
                "convertersMsgProcessed": .int(now.events - before.events),
                "convertersAttrProduced": .int(now.attributes - before.attributes),
                "convertersTsProduced": .int(now.telemetry - before.telemetry),
                "convertersMsgDropped": .int(now.errors - before.errors),
                "storageMsgPushed": .int(now.events - before.events),
            ]
        }
        return ["machineStats": .object(machineStats), "serviceStats": .object(serviceStats),
                "connectorsStats": .object(connectorsStats)]
    }

    /// psutil's `memory_full_info()` keys, and the thread count.
    private func memoryFullInfo(threads: Int) -> JSONValue {
        var info: JSONObject = [:]
        for (key, bytes) in ProcessMemoryInfo.current()?.values ?? [] { info[key] = .int(bytes) }
        info["threads"] = .int(Int64(threads))
        return .object(info)
    }

    private func runCustomCommands() async {
        guard let file = settings.commandsFile else {
            logger.error("statistics.enableCustom is set but statistics.configuration names no commands file")
            return
        }
        let commands: [CustomStatisticsCommand]
        do {
            commands = try CustomStatisticsCommand.load(file: file)
        } catch {
            logger.error("custom statistics not sent: \(error)")
            return
        }
        try? await client.waitUntilReady()
        while !Task.isCancelled {
            var values: JSONObject = [:]
            for command in commands {
                if let output = await CommandRunner.output(of: command.arguments, timeout: .seconds(command.timeoutSeconds)) {
                    values[command.key] = Double(output).map(JSONValue.double) ?? .string(output)
                } else {
                    logger.warning("statistics command failed or timed out", metadata: ["key": "\(command.key)"])
                }
            }
            if !values.isEmpty { await publish(.object(values), topic: GatewayTopics.deviceTelemetry) }
            do { try await Task.sleep(for: .seconds(settings.customSendPeriodSeconds)) } catch { return }
        }
    }

    private func publish(_ value: JSONValue, topic: String) async {
        let message = GatewayMessage(topic: topic, payload: value.jsonBytes, kind: .other, forDevices: false)
        do {
            try await client.publish(message)
        } catch {
            logger.debug("statistics not sent: \(error)")
        }
    }
}
