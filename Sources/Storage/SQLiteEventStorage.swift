import GatewayKit
import GRDB
import Logging

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Events in a SQLite database with the reference's schema (`messages` table), so a reference
/// `data.db` is readable and ours readable by it. One database file: the reference's rotation
/// into `data_<ms>.db` files is replaced by a byte cap of `size_limit` × `max_db_amount` MB
/// (or `max_bytes`). Every `append` is one committed transaction (WAL, synchronous=NORMAL), so
/// a process crash after it returns loses nothing.
///
/// Database calls are synchronous on purpose: an `await` inside an actor method would let another
/// call interleave (actor reentrancy) and, e.g., hand out the same rows twice. Each call is short
/// (one transaction of at most a pack or an append batch), so holding the thread is acceptable.
public actor SQLiteEventStorage: EventStorage, WaitableStorage {
    private let configuration: StorageConfiguration.SQLite
    private let logger: Logger
    private let database: DatabaseQueue
    public nonisolated let path: String
    private let byteCap: Int64
    private let ttlMilliseconds: Int64
    private let ttlCheckMilliseconds: Int64
    private var lastTTLCheck: Int64 = 0

    private var eventCount = 0
    private var bytes: Int64 = 0
    private var lastInsertedID: Int64 = 0
    private var lastHandedOutID: Int64 = 0
    private var lastAcknowledgedID: Int64 = 0
    private var counters = StorageStatistics()
    private var drops = DropReporter()
    private var closed = false
    var waiters = WaiterList()
    var isClosed: Bool { closed }

    /// Opens (creating if needed) the database at `path` (a file path, already resolved).
    public init(configuration: StorageConfiguration.SQLite, path: String, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        self.path = path
        let limits = configuration.limits
        self.byteCap = limits.maxBytes
            ?? Int64(configuration.sizeLimit * 1024 * 1024) * Int64(configuration.maxDBAmount)
        if let seconds = limits.ttlSeconds {
            ttlMilliseconds = seconds * 1000
            ttlCheckMilliseconds = min(Int64(configuration.messagesTTLCheckInHours * 3_600_000), seconds * 1000)
        } else {
            ttlMilliseconds = Int64(configuration.messagesTTLInDays * 86_400_000)
            ttlCheckMilliseconds = Int64(configuration.messagesTTLCheckInHours * 3_600_000)
        }
        var grdb = Configuration()
        grdb.journalMode = .wal
        grdb.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous=NORMAL")
        }
        let directory = FileSystem.parent(of: path)
        if !directory.isEmpty { try FileSystem.makeDirectory(directory) }
        database = try DatabaseQueue(path: path, configuration: grdb)
        let summary = try database.write { db -> (Int, Int64, Int64) in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS messages (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    timestamp INTEGER NOT NULL,
                    message TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS idx_timestamp ON messages (timestamp);
                """)
            let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*), COALESCE(SUM(LENGTH(CAST(message AS BLOB))), 0), COALESCE(MAX(id), 0)
                FROM messages
                """)!
            return (row[0], row[1], row[2])
        }
        (eventCount, bytes, lastInsertedID) = summary
        // Everything stored was unacknowledged: hand it out again from the oldest.
        lastHandedOutID = 0
        lastTTLCheck = 0
    }

    var hasEventsToHandOut: Bool { eventCount > 0 && lastInsertedID > lastHandedOutID }

    @discardableResult
    public func append(_ events: [StoredEvent]) async throws -> Int {
        guard !closed else { throw StorageError.closed }
        let now = currentMilliseconds()
        var dropped = try await expireIfDue(now: now)
        // Decide what fits before touching the database, so one transaction does everything.
        var accepted = events
        var incomingBytes: Int64 = 0
        for event in events { incomingBytes += Int64(event.bytes.count) }
        var bytesToFree: Int64 = 0
        if bytes + incomingBytes > byteCap {
            if configuration.limits.overflow == .rejectNewest {
                var room = byteCap - bytes
                var keep = 0
                for event in events {
                    let size = Int64(event.bytes.count)
                    if size > room { break }
                    room -= size
                    keep += 1
                }
                dropped += events.count - keep
                accepted = Array(events.prefix(keep))
                incomingBytes = byteCap - bytes - room
            } else {
                // Events larger than the whole cap on their own are refused; the rest evict the oldest.
                var kept: [StoredEvent] = []
                var keptBytes: Int64 = 0
                for event in events.reversed() {
                    let size = Int64(event.bytes.count)
                    if keptBytes + size > byteCap { dropped += 1; continue }
                    keptBytes += size
                    kept.append(event)
                }
                accepted = kept.reversed()
                incomingBytes = keptBytes
                bytesToFree = bytes + incomingBytes - byteCap
            }
        }
        let toInsert = accepted
        let mustFree = bytesToFree
        let result = try writeNow { db -> (evicted: Int, evictedBytes: Int64, evictedMaxID: Int64, lastID: Int64) in
            var evicted = 0
            var evictedBytes: Int64 = 0
            var evictedMaxID: Int64 = 0
            if mustFree > 0 {
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT id, LENGTH(CAST(message AS BLOB)) FROM messages ORDER BY id")
                while evictedBytes < mustFree, let row = try rows.next() {
                    evictedMaxID = row[0]
                    evictedBytes += row[1] as Int64
                    evicted += 1
                }
                if evicted > 0 {
                    try db.execute(sql: "DELETE FROM messages WHERE id <= ?", arguments: [evictedMaxID])
                }
            }
            let insert = try db.cachedStatement(sql: "INSERT INTO messages (timestamp, message) VALUES (?, ?)")
            for event in toInsert {
                try insert.execute(arguments: [now, String(decoding: event.bytes, as: UTF8.self)])
            }
            return (evicted, evictedBytes, evictedMaxID, toInsert.isEmpty ? 0 : db.lastInsertedRowID)
        }
        eventCount += toInsert.count - result.evicted
        bytes += incomingBytes - result.evictedBytes
        dropped += result.evicted
        if result.evictedMaxID > lastHandedOutID { lastHandedOutID = result.evictedMaxID }
        if result.lastID > 0 { lastInsertedID = result.lastID }
        counters.appended += Int64(toInsert.count)
        report(dropped: dropped, calm: true)
        if hasEventsToHandOut { waiters.resumeAll() }
        return dropped
    }

    public func nextPack(maxEvents: Int) async throws -> EventPack? {
        guard !closed else { throw StorageError.closed }
        let expired = try await expireIfDue(now: currentMilliseconds())
        if expired > 0 { report(dropped: expired, calm: false) }
        guard hasEventsToHandOut, maxEvents > 0 else { return nil }
        let after = lastHandedOutID
        let limit = min(maxEvents, configuration.maxReadRecordsCount)
        let (events, maxID) = try readNow { db -> ([StoredEvent], Int64) in
            let rows = try Row.fetchCursor(
                db, sql: "SELECT id, message FROM messages WHERE id > ? ORDER BY id LIMIT ?",
                arguments: [after, limit])
            var events: [StoredEvent] = []
            events.reserveCapacity(limit)
            var maxID = after
            while let row = try rows.next() {
                maxID = row[0]
                let text: String = row[1]
                events.append(StoredEvent(bytes: Array(text.utf8)))
            }
            return (events, maxID)
        }
        guard !events.isEmpty else {
            lastHandedOutID = lastInsertedID
            return nil
        }
        lastHandedOutID = maxID
        return EventPack(position: StoragePosition(segment: 0, offset: maxID), events: events)
    }

    public func acknowledge(_ pack: EventPack) async throws {
        guard !closed else { throw StorageError.closed }
        let upTo = pack.position.offset
        guard upTo > lastAcknowledgedID else { return }
        let (count, freed) = try writeNow { db -> (Int, Int64) in
            let freed = try Int64.fetchOne(
                db, sql: "SELECT COALESCE(SUM(LENGTH(CAST(message AS BLOB))), 0) FROM messages WHERE id <= ?",
                arguments: [upTo]) ?? 0
            try db.execute(sql: "DELETE FROM messages WHERE id <= ?", arguments: [upTo])
            return (db.changesCount, freed)
        }
        lastAcknowledgedID = upTo
        if lastHandedOutID < upTo { lastHandedOutID = upTo }
        eventCount -= count
        bytes -= freed
        counters.acknowledged += Int64(count)
    }

    public func rewind() async {
        lastHandedOutID = lastAcknowledgedID
    }

    public func waitForEvents() async {
        await suspendUntilEvents()
    }

    public func statistics() async -> StorageStatistics {
        var stats = counters
        stats.events = eventCount
        stats.bytes = bytes
        if eventCount > 0, !closed,
           let oldest = try? readNow({ db in
               try Int64.fetchOne(db, sql: "SELECT MIN(timestamp) FROM messages")
           }) {
            stats.oldestAgeMilliseconds = max(0, currentMilliseconds() - oldest)
        }
        return stats
    }

    public func close() async {
        guard !closed else { return }
        closed = true
        try? database.close()
        waiters.resumeAll()
    }

    /// Deletes rows older than the TTL when the check period has elapsed (no timer, no polling).
    /// Timestamps are milliseconds on both sides (the reference compares ms with seconds).
    private func expireIfDue(now: Int64) async throws -> Int {
        guard now - lastTTLCheck >= ttlCheckMilliseconds else { return 0 }
        lastTTLCheck = now
        let cutoff = now - ttlMilliseconds
        let (count, freed, maxID) = try writeNow { db -> (Int, Int64, Int64) in
            let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*), COALESCE(SUM(LENGTH(CAST(message AS BLOB))), 0), COALESCE(MAX(id), 0)
                FROM messages WHERE timestamp <= ?
                """, arguments: [cutoff])!
            let count: Int = row[0]
            guard count > 0 else { return (0, 0, 0) }
            try db.execute(sql: "DELETE FROM messages WHERE timestamp <= ?", arguments: [cutoff])
            return (db.changesCount, row[1], row[2])
        }
        eventCount -= count
        bytes -= freed
        if maxID > lastHandedOutID { lastHandedOutID = maxID }
        return count
    }

    /// Synchronous GRDB access (see the type's comment); a non-async function selects GRDB's
    /// blocking overloads.
    private nonisolated func writeNow<T>(_ updates: (Database) throws -> T) throws -> T {
        try database.write(updates)
    }

    private nonisolated func readNow<T>(_ value: (Database) throws -> T) throws -> T {
        try database.read(value)
    }

    private func report(dropped: Int, calm: Bool) {
        guard dropped > 0 else {
            if calm { drops.noteCalm() }
            return
        }
        counters.dropped += Int64(dropped)
        if drops.noteDrops(dropped) {
            logger.warning("SQLite storage \(path): dropping events (byte cap \(byteCap), TTL \(ttlMilliseconds) ms, policy \(configuration.limits.overflow.rawValue)); further drops in this burst are only counted")
        }
    }
}
