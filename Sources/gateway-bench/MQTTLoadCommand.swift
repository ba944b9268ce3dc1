import ArgumentParser
import Foundation
import Logging
import MQTT
import NIOCore
import NIOPosix

/// `gateway-bench mqtt-load`: the MQTT connector benchmark's load generator, a drop-in for
/// refbench's `loadgen.py` (same options, topics, payload bytes and final JSON line) that is fast
/// enough to outrun both gateways: several connections of our own MQTT client, many publishes in
/// flight, payloads rendered from pre-built bytes.
///
///     closed loop:  gateway-bench mqtt-load --messages 200000 --qos 1
///     open loop:    gateway-bench mqtt-load --rate 1000 --duration 20 --qos 1 --send-log sends.txt
///
/// `--send-log` writes `<seq> <publish time µs since epoch>` per message for latency against the
/// sink's arrival times.
struct MQTTLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mqtt-load",
        abstract: "Simulated sensors publishing JSON to sensor/<serial>/data (loadgen.py compatible).")

    @Option(help: "Broker host.") var host = "127.0.0.1"
    @Option(help: "Broker port.") var port = 1883
    @Option(help: "Simulated devices (topics sensor/SN-00001/data ...).") var devices = 100
    @Option(help: "Closed loop: number of messages, published as fast as the window allows.") var messages = 0
    @Option(help: "Open loop: messages per second.") var rate: Double = 0
    @Option(help: "Open loop: seconds.") var duration: Double = 0
    @Option(help: "0 or 1.") var qos = 0
    @Option(help: "Sequence number (the temperature value) of the first message.") var seqStart = 1
    @Option(help: "Hard stop, seconds.") var maxSeconds: Double = 240
    @Option(help: "Most publishes unfinished at once over all connections (QoS 1: unacknowledged).")
    var window = 500
    @Option(help: "MQTT connections (unique client ids); messages are spread over them.") var connections = 4
    @Option(help: "File to write '<seq> <publish time, µs since the epoch>' per message to.") var sendLog: String?
    @Option(help: "Where publisher tasks run: 'loop' (on their client's event loop, no thread hop per publish) or 'global' (Swift's global executor).")
    var executor = "loop"

    var total: Int { rate > 0 ? Int((rate * duration).rounded(.toNearestOrEven)) : messages }

    func validate() throws {
        guard total > 0 else { throw ValidationError("give --messages N, or --rate R --duration S") }
        guard qos == 0 || qos == 1 else { throw ValidationError("--qos must be 0 or 1") }
        guard devices > 0, window > 0, connections > 0 else {
            throw ValidationError("--devices, --window and --connections must be positive")
        }
        guard maxSeconds > 0 else { throw ValidationError("--max-seconds must be positive") }
        guard executor == "loop" || executor == "global" else { throw ValidationError("--executor must be loop or global") }
    }

    func run() async throws {
        var logger = Logger(label: "mqtt-load")
        logger.logLevel = .warning
        let group = MultiThreadedEventLoopGroup.singleton
        // Never more connections than publishes in flight, or some would idle.
        let connectionCount = min(connections, window)
        let perConnectionWindow = (window + connectionCount - 1) / connectionCount
        let tag = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        // Connections spread over the event loops (one per core); each client and its publishers share one.
        let executors = (0..<connectionCount).map { _ in MQTTLoadLoopExecutor(group.next()) }
        let clients = executors.enumerated().map { index, executor in
            MQTTClient(configuration: MQTTClientConfiguration(
                host: host, port: port, clientID: "mqtt-load-\(tag)-\(index)", version: .v3_1_1,
                keepAlive: .seconds(60), cleanSession: true, outboundWindow: perConnectionWindow),
                eventLoopGroup: executor.loop, logger: logger)
        }
        do {
            try await withThrowingTaskGroup(of: Void.self) { connecting in
                for client in clients { connecting.addTask { _ = try await client.connect() } }
                try await connecting.waitForAll()
            }
        } catch {
            for client in clients { await client.shutdown() }
            print(#"{"error": "could not connect: \#(jsonEscaped("\(error)"))"}"#)
            throw ExitCode(1)
        }

        let plan = MQTTLoadPlan(
            total: total, messages: MQTTLoadMessages(devices: devices, seqStart: seqStart,
                                                     qos: qos == 1 ? .atLeastOnce : .atMostOnce),
            clients: clients, executors: executor == "loop" ? executors : nil, hardStop: .now() + .nanoseconds(Int64(maxSeconds * 1e9)), logSends: sendLog != nil)
        let counters = MQTTLoadCounters()
        let firstMicroseconds = wallClockMicroseconds()
        let results: [MQTTLoadPublisherResult]
        if rate > 0 {
            // The pacer sleeps on the first connection's loop timers (and runs there with --executor loop).
            results = [await withTaskExecutorPreference(plan.executors?[0]) {
                await MQTTLoadOpenLoop.run(plan, rate: rate, window: window, timerLoop: executors[0].loop,
                                           counters: counters)
            }]
        } else {
            results = await MQTTLoadClosedLoop.run(plan, window: window, counters: counters)
        }
        // Every publisher awaited its publishes: all written (QoS 0) or acknowledged (QoS 1).
        let flushedMicroseconds = wallClockMicroseconds()
        for client in clients { await client.shutdown() }

        let sent = results.reduce(0) { $0 + $1.sent }
        let lastMicroseconds = results.map(\.lastPublishMicroseconds).max() ?? firstMicroseconds
        let publishSeconds = Double(max(0, lastMicroseconds - firstMicroseconds)) / 1e6
        if let sendLog { try MQTTLoadSendLog.write(results.map(\.records), to: sendLog) }

        // loadgen.py's keys first, in its order; then what only this generator knows.
        var line = JSONLine()
        line.add("published", sent)
        line.add("requested", total)
        line.add("acked", qos == 1 ? counters.acknowledged.load(ordering: .relaxed) : nil)
        line.add("qos", qos)
        line.add("devices", devices)
        line.add("rate_requested", rate > 0 ? rate : nil)
        line.add("t_first_publish", Double(firstMicroseconds) / 1e6)
        line.add("t_last_publish", Double(lastMicroseconds) / 1e6)
        line.add("t_flushed", Double(flushedMicroseconds) / 1e6)
        line.add("publish_wall_s", publishSeconds)
        line.add("achieved_rate", publishSeconds > 0 ? Double(sent) / publishSeconds : nil)
        line.add("loadgen_cpu_s", ownCPUSeconds())
        line.add("generator", "gateway-bench mqtt-load")
        line.add("connections", connectionCount)
        line.add("window", window)
        line.add("executor", executor)
        line.add("publish_errors", counters.failures.load(ordering: .relaxed))
        line.add("first_error", counters.firstError)
        line.add("send_log", sendLog)
        print(line.text)
        if counters.failures.load(ordering: .relaxed) > 0 { throw ExitCode(1) }
    }
}

/// User + system CPU seconds of this process (what loadgen.py reports as `time.process_time()`).
private func ownCPUSeconds() -> Double {
    var cpu = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu)
    return Double(cpu.tv_sec) + Double(cpu.tv_nsec) / 1e9
}

/// One flat JSON object with keys in insertion order (Python's json.dumps order), `null` for nil.
private struct JSONLine {
    private var fields: [String] = []

    mutating func add(_ key: String, _ value: Int?) { fields.append("\"\(key)\": \(value.map(String.init) ?? "null")") }
    mutating func add(_ key: String, _ value: Double?) {
        fields.append("\"\(key)\": \(value.flatMap { $0.isFinite ? "\($0)" : nil } ?? "null")")
    }
    mutating func add(_ key: String, _ value: String?) {
        fields.append("\"\(key)\": \(value.map { "\"\(jsonEscaped($0))\"" } ?? "null")")
    }

    var text: String { "{" + fields.joined(separator: ", ") + "}" }
}

private func jsonEscaped(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}
