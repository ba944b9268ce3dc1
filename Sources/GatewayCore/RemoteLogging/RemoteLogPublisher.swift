import GatewayKit
import Logging
import Synchronization
import ThingsBoard

/// Sends what `RemoteLogSink` collects as gateway telemetry (reference §1.10): log records in
/// batches of at most 20 as `[{"ts","values":{"<KEY>": line, "LOGS": line}}]`, and every 5 s,
/// when they changed, the error counters `{"<logger>_ERRORS_COUNT": n, "ALL_ERRORS_COUNT": n}`,
/// which restart from zero every minute.
struct RemoteLogPublisher: Sendable {
    let sink: RemoteLogSink
    let client: ThingsBoardClient
    static let batchSize = 20

    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await publishRecords() }
            group.addTask { await publishErrorCounts() }
        }
    }

    /// A burst of records is gathered for 200 ms and sent in messages of at most 20; with remote
    /// logging off nothing arrives and nothing wakes up.
    private func publishRecords() async {
        let pending = PendingRecords()
        let (signals, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await record in sink.records {
                    pending.append(record)
                    signal.yield()
                }
                signal.finish()
            }
            group.addTask {
                for await _ in signals {
                    try? await Task.sleep(for: .milliseconds(200))
                    let taken = pending.takeAll()
                    for start in stride(from: 0, to: taken.count, by: Self.batchSize) {
                        await send(Array(taken[start..<min(start + Self.batchSize, taken.count)]))
                    }
                }
            }
        }
    }

    private func send(_ records: [RemoteLogSink.Record]) async {
        let entries: [JSONValue] = records.map { record in
            var values: JSONObject = [record.key: .string(record.line)]
            if record.alsoAsLOGS { values["LOGS"] = .string(record.line) }
            return ["ts": .int(record.ts), "values": .object(values)]
        }
        try? await client.publish(GatewayMessage(topic: GatewayTopics.deviceTelemetry, payload: JSONValue.array(entries).jsonBytes,
                                                 kind: .other, forDevices: false))
    }

    private func publishErrorCounts() async {
        var last: [String: Int64] = [:]
        var sinceReset = 0
        while !Task.isCancelled {
            do { try await Task.sleep(for: .seconds(5)) } catch { return }
            let counts = sink.errorCounts()
            if counts != last, !counts.isEmpty {
                var values: JSONObject = [:]
                for (name, count) in counts.sorted(by: { $0.key < $1.key }) { values["\(name)_ERRORS_COUNT"] = .int(count) }
                values["ALL_ERRORS_COUNT"] = .int(counts.values.reduce(0, +))
                try? await client.publish(GatewayMessage(topic: GatewayTopics.deviceTelemetry,
                                                         payload: JSONValue.object(values).jsonBytes,
                                                         kind: .other, forDevices: false))
                last = counts
            }
            sinceReset += 5
            if sinceReset >= 60 {
                sink.resetErrorCounts()
                last = [:]
                sinceReset = 0
            }
        }
    }
}

/// Records waiting for the next message, bounded: while ThingsBoard is away the oldest go first,
/// as in the reference's queue.
private final class PendingRecords: Sendable {
    private let records = Mutex<[RemoteLogSink.Record]>([])

    func append(_ record: RemoteLogSink.Record) {
        records.withLock { queued in
            if queued.count >= RemoteLogSink.queueCapacity { queued.removeFirst() }
            queued.append(record)
        }
    }

    func takeAll() -> [RemoteLogSink.Record] {
        records.withLock { queued in
            defer { queued = [] }
            return queued
        }
    }
}
