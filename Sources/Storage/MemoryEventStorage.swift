import Collections
import GatewayKit
import Logging

/// Bounded in-memory FIFO; lost on restart (like the reference's memory storage).
/// Positions are sequence numbers: `offset` is the sequence number just after a pack's last event.
public actor MemoryEventStorage: EventStorage, WaitableStorage {
    private struct Entry {
        var event: StoredEvent
        var timestamp: Int64
    }

    private let configuration: StorageConfiguration.Memory
    private let logger: Logger
    private var entries = Deque<Entry>()
    /// Sequence number of `entries.first`.
    private var headSequence: Int64 = 0
    /// Sequence number of the first event not yet handed out.
    private var handOutSequence: Int64 = 0
    private var bytes: Int64 = 0
    private var counters = StorageStatistics()
    private var drops = DropReporter()
    private var closed = false
    var waiters = WaiterList()
    var isClosed: Bool { closed }

    public init(configuration: StorageConfiguration.Memory, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    var hasEventsToHandOut: Bool { handOutSequence < headSequence + Int64(entries.count) }

    @discardableResult
    public func append(_ events: [StoredEvent]) async throws -> AppendResult {
        guard !closed else { throw StorageError.closed }
        let now = currentMilliseconds()
        var dropped = expire(now: now)
        let limits = configuration.limits
        var refused: [Int] = []
        let firstFitting = limits.overflow == .dropOldest ? firstOfNewestThatFit(events) : 0
        for (position, event) in events.enumerated() {
            let size = Int64(event.bytes.count)
            if position < firstFitting || limits.maxBytes.map({ size > $0 }) == true {
                dropped += 1
                refused.append(position)
                continue
            }
            while entries.count >= configuration.maxRecordsCount
                    || (limits.maxBytes.map { bytes + size > $0 } ?? false) {
                if limits.overflow == .rejectNewest { break }
                removeOldest()
                dropped += 1
            }
            if entries.count >= configuration.maxRecordsCount
                || (limits.maxBytes.map { bytes + size > $0 } ?? false) {
                dropped += 1
                refused.append(position)
                continue
            }
            entries.append(Entry(event: event, timestamp: now))
            bytes += size
            counters.appended += 1
        }
        report(dropped: dropped)
        if hasEventsToHandOut { waiters.resumeAll() }
        return AppendResult(dropped: dropped, refused: refused)
    }

    /// With `dropOldest`, a batch larger than the caps on its own keeps its newest events that fit
    /// (as SQLite storage does): the older ones are refused rather than stored and evicted by their
    /// own batch, which would report them accepted. Returns the position of the first kept event.
    private func firstOfNewestThatFit(_ events: [StoredEvent]) -> Int {
        let maxBytes = configuration.limits.maxBytes
        var count = 0
        var bytes: Int64 = 0
        var position = events.count
        while position > 0 {
            let size = Int64(events[position - 1].bytes.count)
            if let maxBytes, size > maxBytes {
                position -= 1  // refused on its own whatever else fits
                continue
            }
            if count + 1 > configuration.maxRecordsCount || (maxBytes.map { bytes + size > $0 } ?? false) { break }
            count += 1
            bytes += size
            position -= 1
        }
        return position
    }

    public func nextPack(maxEvents: Int) async throws -> EventPack? {
        guard !closed else { throw StorageError.closed }
        let expired = expire(now: currentMilliseconds())
        if expired > 0 { report(dropped: expired) }
        let start = max(handOutSequence, headSequence)
        let available = headSequence + Int64(entries.count) - start
        guard available > 0, maxEvents > 0 else { return nil }
        let count = Int(min(Int64(min(maxEvents, configuration.readRecordsCount)), available))
        let first = Int(start - headSequence)
        var events: [StoredEvent] = []
        events.reserveCapacity(count)
        for index in first..<(first + count) { events.append(entries[index].event) }
        handOutSequence = start + Int64(count)
        return EventPack(position: StoragePosition(segment: 0, offset: handOutSequence), events: events)
    }

    public func acknowledge(_ pack: EventPack) async throws {
        guard !closed else { throw StorageError.closed }
        while headSequence < pack.position.offset, !entries.isEmpty {
            let entry = entries.removeFirst()
            bytes -= Int64(entry.event.bytes.count)
            headSequence += 1
            counters.acknowledged += 1
        }
        handOutSequence = max(handOutSequence, headSequence)
    }

    public func rewind() async {
        handOutSequence = headSequence
    }

    public func waitForEvents() async {
        await suspendUntilEvents()
    }

    public func statistics() async -> StorageStatistics {
        var stats = counters
        stats.events = entries.count
        stats.bytes = bytes
        stats.oldestAgeMilliseconds = entries.first.map { max(0, currentMilliseconds() - $0.timestamp) }
        return stats
    }

    public func close() async {
        closed = true
        waiters.resumeAll()
    }

    private func removeOldest() {
        guard let entry = entries.popFirst() else { return }
        bytes -= Int64(entry.event.bytes.count)
        headSequence += 1
        handOutSequence = max(handOutSequence, headSequence)
    }

    /// Drops events older than `ttl_seconds`; returns how many.
    private func expire(now: Int64) -> Int {
        guard let ttl = configuration.limits.ttlSeconds else { return 0 }
        let cutoff = now - ttl * 1000
        var count = 0
        while let first = entries.first, first.timestamp <= cutoff {
            removeOldest()
            count += 1
        }
        return count
    }

    private func report(dropped: Int) {
        guard dropped > 0 else {
            drops.noteCalm()  // only reached from append: a drop-free append ends the burst
            return
        }
        counters.dropped += Int64(dropped)
        if drops.noteDrops(dropped) {
            logger.warning("Memory storage full or events expired: dropping events (policy \(configuration.limits.overflow.rawValue), max_records_count \(configuration.maxRecordsCount)); further drops in this burst are only counted")
        }
    }
}

public enum StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    case closed
    case io(path: String, operation: String, errno: Int32)
    case corrupt(path: String, reason: String)
    /// Not a database SQLite can read (overwritten, truncated, damaged).
    case unreadableDatabase(path: String, reason: String)

    public var description: String {
        switch self {
        case .closed: return "event storage is closed"
        case .io(let path, let operation, let code):
            return "event storage: \(operation) \(path) failed: errno \(code)"
        case .corrupt(let path, let reason): return "event storage: \(path): \(reason)"
        case .unreadableDatabase(let path, let reason): return "event storage: \(path) is not a readable SQLite database: \(reason)"
        }
    }
}
