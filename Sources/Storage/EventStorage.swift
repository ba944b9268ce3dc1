import GatewayKit

/// Durable (or not) FIFO of stored events between the converters and the ThingsBoard uplink.
///
/// Contract, checked by the conformance suite for every implementation:
/// - `append` keeps order; an event is never lost while it is within the caps.
/// - `nextPack` hands out the oldest events not yet handed out, in order; several packs may be
///   outstanding at once (the uplink pipelines them).
/// - `acknowledge` removes a pack's events for good. Packs are acknowledged in the order they
///   were handed out; acknowledging a later pack implies the earlier ones.
/// - `rewind` forgets what was handed out but not acknowledged, so it is handed out again
///   (after a lost connection). After a restart (or `kill -9`) the persistent implementations
///   start from the last acknowledged position: unacknowledged events arrive again.
/// - When a cap (records, bytes, files, age) would be exceeded the overflow policy applies and
///   every dropped event is counted in `statistics().dropped`.
public protocol EventStorage: Sendable {
    /// Appends events in order. Returns how many were dropped by the overflow policy to make room
    /// (or refused), and which of these events were refused.
    @discardableResult
    func append(_ events: [StoredEvent]) async throws -> AppendResult
    /// Appends events nobody waits for. A persistent storage may keep them in memory for a short,
    /// bounded time before writing them, and skip the write when they are acknowledged first; a
    /// process crash may then lose them. Order with `append` is kept.
    @discardableResult
    func appendBuffered(_ events: [StoredEvent]) async throws -> AppendResult
    /// The next pack of at most `maxEvents` events, or nil when every stored event is handed out.
    func nextPack(maxEvents: Int) async throws -> EventPack?
    /// Removes the events of this pack (and of every pack handed out before it).
    func acknowledge(_ pack: EventPack) async throws
    /// Makes every handed-out, unacknowledged event available again from the oldest.
    func rewind() async
    /// Suspends until there is an event not yet handed out (returns at once if there is one).
    /// Returns early when the calling task is cancelled.
    func waitForEvents() async
    func statistics() async -> StorageStatistics
    /// Flushes buffered writes to disk and releases files. Further calls are errors.
    func close() async
}

extension EventStorage {
    /// Storages without a buffered path write at once.
    @discardableResult
    public func appendBuffered(_ events: [StoredEvent]) async throws -> AppendResult {
        try await append(events)
    }
}

/// What an append did beyond storing: events dropped to make room or expired, and the appended
/// events a cap refused (`"overflow": "rejectNewest"` at a cap, or with `dropOldest` events that do
/// not fit under it beside the newer ones of the same batch), so a connector waiting for the write
/// is told which of its events were not stored.
public struct AppendResult: Sendable, Equatable {
    /// Stored events dropped and appended events refused, as counted in `StorageStatistics.dropped`.
    public var dropped: Int
    /// Positions, in the appended array, of the events not stored, ascending.
    public var refused: [Int]

    public init(dropped: Int = 0, refused: [Int] = []) {
        self.dropped = dropped
        self.refused = refused
    }
}

public struct EventPack: Sendable {
    /// Opaque position token of the storage that made it.
    public var position: StoragePosition
    public var events: [StoredEvent]

    public init(position: StoragePosition, events: [StoredEvent]) {
        self.position = position
        self.events = events
    }
}

/// Where a pack ends, in the terms of the storage that handed it out.
public struct StoragePosition: Sendable, Hashable {
    public var segment: Int64
    public var offset: Int64
    public init(segment: Int64, offset: Int64) {
        self.segment = segment
        self.offset = offset
    }
}

public struct StorageStatistics: Sendable, Equatable {
    /// Events stored and not yet acknowledged.
    public var events: Int
    /// Approximate bytes of those events on disk or in memory.
    public var bytes: Int64
    /// Age in milliseconds of the oldest stored event, nil when empty.
    public var oldestAgeMilliseconds: Int64?
    /// Events dropped since start by the overflow policy or the TTL.
    public var dropped: Int64
    public var appended: Int64
    public var acknowledged: Int64

    public init(events: Int = 0, bytes: Int64 = 0, oldestAgeMilliseconds: Int64? = nil,
                dropped: Int64 = 0, appended: Int64 = 0, acknowledged: Int64 = 0) {
        self.events = events
        self.bytes = bytes
        self.oldestAgeMilliseconds = oldestAgeMilliseconds
        self.dropped = dropped
        self.appended = appended
        self.acknowledged = acknowledged
    }
}
