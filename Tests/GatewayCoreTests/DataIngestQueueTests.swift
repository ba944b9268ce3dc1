import GatewayCore
import GatewayKit
import Logging
import Storage
import Synchronization
import Testing
import TestSupport

/// `submit`: readings are queued in order and the connector goes on while storage writes;
/// the queue is bounded; a failed write is counted, never silent.
@Suite(.timeLimit(.minutes(1))) struct DataIngestQueueTests {
    let connector = ConnectorIdentity(name: "Broker", type: "mqtt", id: "broker")

    func reading(_ sequence: Int) -> ConvertedData {
        ConvertedData(deviceName: "Sensor", telemetry: [TelemetryEntry(ts: Int64(1_000 + sequence),
                                                                      values: ["seq": .int(Int64(sequence))])])
    }

    func sequences(in storage: any EventStorage) async throws -> [Int64] {
        var result: [Int64] = []
        while let pack = try await storage.nextPack(maxEvents: 10_000) {
            for event in pack.events {
                for entry in try event.decode(now: 0).telemetry { result.append(entry.values["seq"]?.intValue ?? -1) }
            }
        }
        return result
    }

    @Test func submitReturnsBeforeTheWriteAndKeepsOrder() async throws {
        let storage = GatedStorage()
        let ingest = DataIngest(storage: storage, logger: Logger(label: "test"))
        let writer = Task { await ingest.runWriter() }
        defer { writer.cancel() }
        // The first write holds the writer; the rest only queue. `send` would wait here forever.
        for sequence in 0..<100 {
            #expect(await ingest.submit(reading(sequence), from: connector) == .accepted)
        }
        #expect(await storage.inner.statistics().appended == 0)
        await storage.open()
        #expect(await waitUntil(timeout: 10, checking: { await ingest.statistics().eventsAccepted == 100 }))
        #expect(try await sequences(in: storage.inner) == (0..<100).map(Int64.init))
        #expect(await ingest.statistics().datapointsAccepted == 100)
    }

    @Test func submitWaitsWhenTheQueueIsFull() async throws {
        let storage = GatedStorage()
        let ingest = DataIngest(storage: storage, logger: Logger(label: "test"))
        let writer = Task { await ingest.runWriter() }
        defer { writer.cancel() }
        let total = DataIngest.maxQueuedEvents * 3
        let returned = Counter()
        let producer = Task {
            for sequence in 0..<total {
                _ = await ingest.submit(reading(sequence), from: connector)
                returned.increment()
            }
        }
        // The held write's events, a full queue behind them, and the producer suspended.
        #expect(await waitUntil(timeout: 10) { returned.value > DataIngest.maxQueuedEvents })
        try await Task.sleep(for: .milliseconds(200))
        let held = await storage.appendedEvents()
        #expect(held >= 1)
        #expect(returned.value == held + DataIngest.maxQueuedEvents)
        #expect(returned.value < total)
        await storage.open()
        await producer.value
        #expect(await waitUntil(timeout: 10, checking: { await ingest.statistics().eventsAccepted == Int64(total) }))
        #expect(try await sequences(in: storage.inner) == (0..<total).map(Int64.init))
    }

    @Test func aFailedWriteOfSubmittedReadingsIsCounted() async throws {
        let storage = GatedStorage(failing: true)
        let ingest = DataIngest(storage: storage, logger: Logger(label: "test"))
        let writer = Task { await ingest.runWriter() }
        defer { writer.cancel() }
        await storage.open()
        for sequence in 0..<5 { _ = await ingest.submit(reading(sequence), from: connector) }
        #expect(await waitUntil(timeout: 10, checking: { await ingest.statistics().eventsRejected == 5 }))
        let statistics = await ingest.statistics()
        #expect(statistics.eventsAccepted == 0)
        #expect(!statistics.storageWritable)
    }

    @Test func sendAllWaitsForOneWriteAndAnswersEachReading() async throws {
        let storage = GatedStorage()
        let ingest = DataIngest(storage: storage, logger: Logger(label: "test"))
        let writer = Task { await ingest.runWriter() }
        defer { writer.cancel() }
        let batch = [reading(0), ConvertedData(deviceName: "", telemetry: reading(9).telemetry), reading(1), reading(2)]
        let sending = Task { await ingest.sendAll(batch, from: connector) }
        #expect(await waitUntil(timeout: 10) { await storage.appendedEvents() == 3 })
        try await Task.sleep(for: .milliseconds(100))
        #expect(await storage.appendCalls() == 1)
        await storage.open()
        #expect(await sending.value == [.accepted, .rejected("empty device name"), .accepted, .accepted])
        #expect(try await sequences(in: storage.inner) == [0, 1, 2])
        #expect(await ingest.statistics().eventsAccepted == 3)
    }

    /// A full storage with `"overflow": "rejectNewest"` refuses the newest events: a connector
    /// waiting for the write (the REST connector answers its client from it) is told which of its
    /// readings were refused, even when other connectors' readings share the write.
    @Test func readingsAFullStorageRefusesAreReportedRejected() async throws {
        var capped = StorageConfiguration.Memory()
        capped.maxRecordsCount = 3
        capped.limits.overflow = .rejectNewest
        let storage = GatedStorage(inner: capped)
        let ingest = DataIngest(storage: storage, logger: Logger(label: "test"))
        let writer = Task { await ingest.runWriter() }
        defer { writer.cancel() }
        // The writer holds reading 0 at the gate; 1 (nobody waits for it) and 2...4 share the next write.
        #expect(await ingest.submit(reading(0), from: connector) == .accepted)
        #expect(await waitUntil(timeout: 10) { await storage.appendCalls() == 1 })
        #expect(await ingest.submit(reading(1), from: connector) == .accepted)
        let sending = Task { await ingest.sendAll([reading(2), reading(3), reading(4)], from: connector) }
        try await Task.sleep(for: .milliseconds(100))
        await storage.open()
        let outcomes = await sending.value
        #expect(outcomes.count == 3)
        #expect(outcomes.first == .accepted)
        #expect(outcomes.dropFirst().allSatisfy { if case .rejected(let reason) = $0 { reason.contains("storage is full") } else { false } },
                "\(outcomes)")
        #expect(try await sequences(in: storage.inner) == [0, 1, 2])
        // A single `send` into the full storage is refused too.
        if case .accepted = await ingest.send(reading(5), from: connector) { Issue.record("a refused reading was reported accepted") }
        #expect(await ingest.statistics().eventsDroppedByStorage == 3)
    }

    /// `submit(whenStored:)` (an MQTT source acknowledged only once its readings are written): the
    /// notice comes after the write, which is not put off, and at once for a reading refused outright.
    @Test func submitTellsWhenTheReadingsAreWritten() async throws {
        let storage = GatedStorage()
        let ingest = DataIngest(storage: storage, logger: Logger(label: "test"))
        let writer = Task { await ingest.runWriter() }
        defer { writer.cancel() }
        let told = ToldOutcomes()
        for sequence in 0..<3 {
            #expect(await ingest.submit(reading(sequence), from: connector, whenStored: told.record) == .accepted)
        }
        let empty = ConvertedData(deviceName: "", telemetry: reading(9).telemetry)
        #expect(await ingest.submit(empty, from: connector, whenStored: told.record) == .rejected("empty device name"))
        try await Task.sleep(for: .milliseconds(100))
        // Refused as invalid: nothing to keep (it would be refused again).
        #expect(told.values == [.taken], "the written notices wait for the write")
        await storage.open()
        #expect(await waitUntil(timeout: 10) { told.values.count == 4 })
        #expect(told.values == [.taken, .taken, .taken, .taken])
        #expect(await storage.bufferedAppendCalls() == 0)
        #expect(try await sequences(in: storage.inner) == [0, 1, 2])
        // Without a notice the write may be put off (sqlite: up to 20 ms, or never if delivered first).
        _ = await ingest.submit(reading(3), from: connector)
        #expect(await waitUntil(timeout: 10) { await storage.bufferedAppendCalls() == 1 })
    }

    @Test func submitTellsAFailedWrite() async throws {
        let storage = GatedStorage(failing: true)
        let ingest = DataIngest(storage: storage, logger: Logger(label: "test"))
        let writer = Task { await ingest.runWriter() }
        defer { writer.cancel() }
        await storage.open()
        let told = ToldOutcomes()
        #expect(await ingest.submit(reading(0), from: connector, whenStored: told.record) == .accepted)
        #expect(await waitUntil(timeout: 10) { told.values.count == 1 })
        #expect(told.values.allSatisfy { if case .notStored(let reason) = $0 { reason.hasPrefix("storage error") } else { false } })
    }

    @Test func sendAllTellsEachReadingOfAFailedWrite() async throws {
        let storage = GatedStorage(failing: true)
        let ingest = DataIngest(storage: storage, logger: Logger(label: "test"))
        let writer = Task { await ingest.runWriter() }
        defer { writer.cancel() }
        await storage.open()
        let outcomes = await ingest.sendAll([reading(0), reading(1)], from: connector)
        #expect(outcomes.count == 2)
        #expect(outcomes.allSatisfy { if case .rejected(let reason) = $0 { reason.hasPrefix("storage error") } else { false } })
    }
}

private final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}

/// Collects the notices `whenStored` hands over, from whatever thread calls it.
final class ToldOutcomes: Sendable {
    private let outcomes = Mutex<[StoreNotice]>([])
    var values: [StoreNotice] { outcomes.withLock { $0 } }
    var record: @Sendable (StoreNotice) -> Void { { notice in self.outcomes.withLock { $0.append(notice) } } }
}
