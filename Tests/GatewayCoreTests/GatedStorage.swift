import GatewayKit
import Logging
import Storage

/// Memory storage whose appends wait until the test opens the gate (or always fail).
actor GatedStorage: EventStorage {
    let inner: MemoryEventStorage
    private let failing: Bool
    private var isOpen = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var appended = 0
    private var appends = 0

    /// `inner` by default has room for every reading of the tests.
    init(failing: Bool = false, inner: StorageConfiguration.Memory? = nil) {
        self.failing = failing
        var configuration = StorageConfiguration.Memory()
        configuration.maxRecordsCount = 100_000
        self.inner = MemoryEventStorage(configuration: inner ?? configuration, logger: Logger(label: "test"))
    }

    func open() {
        isOpen = true
        for waiter in waiting { waiter.resume() }
        waiting = []
    }

    private var bufferedAppends = 0

    func appendedEvents() -> Int { appended }
    func appendCalls() -> Int { appends }
    /// Of `appendCalls`, those made through `appendBuffered` (a write storage may put off).
    func bufferedAppendCalls() -> Int { bufferedAppends }

    func appendBuffered(_ events: [StoredEvent]) async throws -> AppendResult {
        bufferedAppends += 1
        return try await append(events)
    }

    func append(_ events: [StoredEvent]) async throws -> AppendResult {
        appended += events.count
        appends += 1
        if !isOpen { await withCheckedContinuation { waiting.append($0) } }
        if failing { throw StorageError.closed }
        return try await inner.append(events)
    }

    func nextPack(maxEvents: Int) async throws -> EventPack? { try await inner.nextPack(maxEvents: maxEvents) }
    func acknowledge(_ pack: EventPack) async throws { try await inner.acknowledge(pack) }
    func rewind() async { await inner.rewind() }
    func waitForEvents() async { await inner.waitForEvents() }
    func statistics() async -> StorageStatistics { await inner.statistics() }
    func close() async { await inner.close() }
}
