import GatewayKit
import Logging

/// Events in SQLite databases with the reference's schema (`messages` table), rotated as the
/// reference does: when the write database reaches `size_limit` MB a new write database
/// `data_<epochMillis>.db` is started next to `data.db`; the reader drains the oldest database
/// first and deletes it (`.db`, `-wal`, `-shm`) once every row is acknowledged and it is no longer
/// written. At most `max_db_amount` databases exist; when the last one is full the overflow policy
/// applies. Every `append` is one committed transaction (WAL, synchronous=NORMAL) in the write
/// database, so a process crash after it returns loses nothing.
///
/// `appendBuffered` (events nobody waits for) stages the events instead: they get their ids and
/// are handed out at once, and are written at most `bufferedWriteDelay` later, or sooner once
/// `maxBufferedEvents`/`maxBufferedBytes` are staged, or by the next `append`, rotation, eviction
/// or close. Staged events acknowledged before that are never written: while the uplink keeps up,
/// readings cost no insert and no delete, and no commit (or the WAL checkpoint a commit
/// sometimes has to run) delays them. The price is that a process crash loses what was staged.
///
/// A pack never spans two databases, so its position is simply (database key, last row id):
/// acknowledging it deletes the older databases whole and the rows up to that id in its own.
/// Rows just inserted are handed out from memory (`SQLiteRecentRows`): the uplink normally reads
/// what was just written, and then needs no read transaction.
///
/// Database calls are synchronous on purpose: an `await` inside an actor method would let another
/// call interleave (actor reentrancy) and, e.g., hand out the same rows twice. Each call is short
/// (one transaction of at most a pack or an append batch), so holding the thread is acceptable.
public actor SQLiteEventStorage: EventStorage, WaitableStorage {
    /// A row of one database: `key` orders the databases, `id` the rows within one.
    struct Position: Comparable {
        var key: Int64
        var id: Int64
        static func < (a: Position, b: Position) -> Bool { (a.key, a.id) < (b.key, b.id) }
    }

    private let configuration: StorageConfiguration.SQLite
    private let logger: Logger
    /// The base database (`data.db`, or the file named by `data_file_path`).
    public nonisolated let path: String
    private let directory: String
    /// `size_limit` MB in bytes (1 MB = 1,000,000 bytes, as the reference).
    private let rotationBytes: Int64
    private let byteCap: Int64?
    private let ttlMilliseconds: Int64
    private let ttlCheckMilliseconds: Int64
    private var lastTTLCheck: Int64 = 0

    /// Oldest first; the last one is the write database. Never empty while open.
    private var databases: [SQLiteDatabaseFile]
    /// Last row handed out.
    private var handedOut = Position(key: 0, id: 0)
    /// Last row acknowledged (everything up to it is deleted).
    private var acknowledged = Position(key: 0, id: 0)
    private var counters = StorageStatistics()
    private var recent = SQLiteRecentRows(maxRows: 20_000, maxBytes: 8 << 20)
    private var drops = DropReporter()
    private var closed = false
    /// How long a staged event may wait for its write (by default), and how many or how large
    /// all staged events may be at most.
    public static let defaultBufferedWriteDelay: Duration = .milliseconds(20)
    public nonisolated let bufferedWriteDelay: Duration
    public static let maxBufferedEvents = 1000
    public static let maxBufferedBytes: Int64 = 1 << 20
    /// Writes the staged events when `bufferedWriteDelay` is up; nil while none is scheduled.
    private var bufferedWrite: Task<Void, Never>?
    private var bufferedWriteErrorReported = false
    var waiters = WaiterList()
    var isClosed: Bool { closed }

    /// Opens the base database at `path` (a file path, already resolved) and every rotated
    /// `data_<ms>.db` in its directory, oldest first. Everything stored is unacknowledged: it is
    /// handed out again from the oldest row.
    public init(configuration: StorageConfiguration.SQLite, path: String, logger: Logger,
                bufferedWriteDelay: Duration = defaultBufferedWriteDelay) throws {
        self.configuration = configuration
        self.bufferedWriteDelay = bufferedWriteDelay
        self.logger = logger
        self.path = path
        let directory = FileSystem.parent(of: path)
        self.directory = directory.isEmpty ? "." : directory
        rotationBytes = max(1, Int64(configuration.sizeLimit * 1_000_000))
        byteCap = configuration.limits.maxBytes
        if let seconds = configuration.limits.ttlSeconds {
            ttlMilliseconds = seconds * 1000
            ttlCheckMilliseconds = min(Int64(configuration.messagesTTLCheckInHours * 3_600_000), seconds * 1000)
        } else {
            ttlMilliseconds = Int64(configuration.messagesTTLInDays * 86_400_000)
            ttlCheckMilliseconds = Int64(configuration.messagesTTLCheckInHours * 3_600_000)
        }
        try FileSystem.makeDirectory(self.directory)
        let now = currentMilliseconds()
        let found = try SQLiteFolder.databases(base: path, directory: self.directory)
        var opened: [SQLiteDatabaseFile] = []
        for (index, (key, file)) in found.enumerated() {
            let database: SQLiteDatabaseFile
            do {
                database = try SQLiteDatabaseFile(key: key, path: file, now: now)
            } catch StorageError.unreadableDatabase(_, let reason) {
                // A damaged file must not stop the gateway (nothing could be buffered or sent);
                // it is kept under another name for inspection, and storage goes on without it.
                let kept = try Self.setAside(file, now: now)
                logger.error("SQLite storage: \(file) is not a readable database (\(reason)); renamed to \(FileSystem.name(of: kept)) and left for inspection, its events are not delivered")
                continue
            }
            if database.count == 0 && index < found.count - 1 {
                // Fully acknowledged, left by a crash before its deletion: nothing to read.
                database.closeAndRemoveFiles()
            } else {
                opened.append(database)
            }
        }
        if opened.isEmpty {
            opened.append(try SQLiteDatabaseFile(key: 0, path: path, now: now))
        }
        if opened.count > 1 {
            let names = opened.map { FileSystem.name(of: $0.path) }
            logger.info("SQLite storage: reading \(opened.count) databases oldest first: \(names)")
        }
        databases = opened
    }

    private var writeDatabase: SQLiteDatabaseFile { databases[databases.count - 1] }

    /// Renames a database file (and its WAL and shared-memory files) out of the storage's way:
    /// `<name>.unreadable-<ms>`, which no longer ends in `.db`.
    private static func setAside(_ file: String, now: Int64) throws -> String {
        let target = "\(file).unreadable-\(now)"
        try FileSystem.move(file, to: target)
        for suffix in ["-wal", "-shm"] where FileSystem.exists(file + suffix) {
            try? FileSystem.move(file + suffix, to: target + suffix)
        }
        return target
    }

    var hasEventsToHandOut: Bool {
        databases.contains { database in
            database.count > 0 && Position(key: database.key, id: database.lastInsertedID) > handedOut
        }
    }

    // MARK: append

    @discardableResult
    public func append(_ events: [StoredEvent]) async throws -> AppendResult {
        try store(events, durably: true)
    }

    @discardableResult
    public func appendBuffered(_ events: [StoredEvent]) async throws -> AppendResult {
        try store(events, durably: false)
    }

    private func store(_ events: [StoredEvent], durably: Bool) throws -> AppendResult {
        guard !closed else { throw StorageError.closed }
        let now = currentMilliseconds()
        var dropped = try expireIfDue(now: now)
        var accepted = events
        var kept = Array(events.indices)  // positions of `accepted` in `events`
        if let byteCap {
            dropped += try applyByteCap(byteCap, to: &accepted, positions: &kept)
        }
        if !accepted.isEmpty, writeDatabase.usedBytes >= rotationBytes {
            var incoming: Int64 = 0
            for event in accepted { incoming += Int64(event.bytes.count) }
            if let lost = try makeRoomInFullWriteDatabase(incomingBytes: incoming) {
                dropped += lost
            } else {
                dropped += accepted.count
                accepted = []
                kept = []
            }
        }
        let idBefore = writeDatabase.lastInsertedID
        if durably {
            try databases[databases.count - 1].insert(accepted, timestamp: now)
        } else {
            try stage(accepted, timestamp: now)
        }
        if writeDatabase.lastInsertedID - idBefore == Int64(accepted.count) {
            recent.inserted(accepted, firstID: idBefore + 1, database: writeDatabase.key)
        } else {
            recent.clear()  // Not one run of ids (never expected with AUTOINCREMENT): read them from the file.
        }
        counters.appended += Int64(accepted.count)
        report(dropped: dropped, calm: true)
        if hasEventsToHandOut { waiters.resumeAll() }
        var refused: [Int] = []
        if kept.count < events.count {
            var next = 0
            for position in events.indices {
                if next < kept.count, kept[next] == position { next += 1 } else { refused.append(position) }
            }
        }
        return AppendResult(dropped: dropped, refused: refused)
    }

    /// Stages events in the write database; writes what is staged first when these would exceed
    /// the bounds (a failed write then refuses these events, as `append` would).
    private func stage(_ events: [StoredEvent], timestamp: Int64) throws {
        guard !events.isEmpty else { return }
        var incoming: Int64 = 0
        for event in events { incoming += Int64(event.bytes.count) }
        if writeDatabase.stagedCount + events.count > Self.maxBufferedEvents
            || writeDatabase.stagedBytes + incoming > Self.maxBufferedBytes {
            try databases[databases.count - 1].flushStaged()
        }
        databases[databases.count - 1].stage(events, timestamp: timestamp)
        if bufferedWrite == nil { scheduleBufferedWrite(in: bufferedWriteDelay) }
    }

    private func scheduleBufferedWrite(in delay: Duration) {
        bufferedWrite = Task {
            try? await Task.sleep(for: delay)
            await self.writeStaged()
        }
    }

    /// The delayed write: the events staged `bufferedWriteDelay` ago or earlier, and only those.
    /// Under a steady stream that the uplink keeps up with, events are acknowledged within a
    /// few milliseconds of their staging, so none ever gets old enough to be written (writing
    /// everything staged whenever the delay ran out would write, then delete, the few events in
    /// flight at that moment: about a hundred SQLite transactions a second at 1,000 msg/s).
    /// A failure leaves them staged (and still handed out); the next append or the next delayed
    /// write tries again.
    private func writeStaged() {
        bufferedWrite = nil
        guard !closed else { return }
        let now = ContinuousClock.now
        do {
            try databases[databases.count - 1].flushStaged(stagedBy: now - bufferedWriteDelay)
            bufferedWriteErrorReported = false
            if let oldest = writeDatabase.oldestStagedAt {
                scheduleBufferedWrite(in: max(.zero, oldest + bufferedWriteDelay - now))
            }
        } catch {
            if !bufferedWriteErrorReported {
                logger.error("SQLite storage \(directory): cannot write buffered events; they are kept in memory and written again: \(error)")
                bufferedWriteErrorReported = true
            }
            if writeDatabase.stagedCount > 0 { scheduleBufferedWrite(in: .milliseconds(500)) }
        }
    }

    /// `max_bytes`: the message bytes of all databases. Returns how many events were dropped or
    /// refused; the refused ones leave `accepted`, and their positions leave `positions`.
    private func applyByteCap(_ cap: Int64, to accepted: inout [StoredEvent], positions: inout [Int]) throws -> Int {
        var stored: Int64 = 0
        for database in databases { stored += database.bytes }
        var incoming: Int64 = 0
        for event in accepted { incoming += Int64(event.bytes.count) }
        guard stored + incoming > cap else { return 0 }
        var dropped = 0
        if configuration.limits.overflow == .rejectNewest {
            var room = cap - stored
            var keep = 0
            for event in accepted {
                let size = Int64(event.bytes.count)
                if size > room { break }
                room -= size
                keep += 1
            }
            dropped = accepted.count - keep
            accepted.removeLast(accepted.count - keep)
            positions.removeLast(positions.count - keep)
            return dropped
        }
        // The newest events that fit under the cap are kept (older ones of the batch that do not
        // fit with them are refused); they evict the oldest stored ones.
        var kept: [StoredEvent] = []
        var keptPositions: [Int] = []
        var keptBytes: Int64 = 0
        for (event, position) in zip(accepted, positions).reversed() {
            let size = Int64(event.bytes.count)
            if keptBytes + size > cap { dropped += 1; continue }
            keptBytes += size
            kept.append(event)
            keptPositions.append(position)
        }
        accepted = kept.reversed()
        positions = keptPositions.reversed()
        var toFree = stored + keptBytes - cap
        if toFree > 0 { recent.clear() }
        var index = 0
        while toFree > 0, index < databases.count {
            if databases[index].count > 0 {
                let evicted = try databases[index].evictOldest(bytes: toFree)
                toFree -= evicted.bytes
                dropped += evicted.count
            }
            index += 1
        }
        removeDrainedDatabases()
        return dropped
    }

    /// The write database reached `size_limit`: start a new one, or apply the overflow policy at
    /// `max_db_amount`. Returns how many stored events were dropped, nil when the new ones are refused.
    private func makeRoomInFullWriteDatabase(incomingBytes: Int64) throws -> Int? {
        recent.clear()
        if databases.count < configuration.maxDBAmount {
            try startNewWriteDatabase()
            return 0
        }
        guard configuration.limits.overflow == .dropOldest else { return nil }
        var lost = 0
        while databases.count >= configuration.maxDBAmount, databases.count > 1 {
            let oldest = databases.removeFirst()
            lost += oldest.count
            oldest.closeAndRemoveFiles()
            logger.debug("SQLite storage: max_db_amount \(configuration.maxDBAmount) reached; deleted \(FileSystem.name(of: oldest.path)) with \(oldest.count) unsent events")
        }
        if databases.count < configuration.maxDBAmount {
            try startNewWriteDatabase()
        } else {
            // max_db_amount 1: the write database is also the oldest; evict its oldest rows.
            let excess = max(incomingBytes, writeDatabase.usedBytes - rotationBytes)
            lost += try databases[databases.count - 1].evictOldest(bytes: excess).count
        }
        return lost
    }

    private func startNewWriteDatabase() throws {
        try databases[databases.count - 1].flushStaged()  // staged ids belong to the write database
        let key = max(currentMilliseconds(), writeDatabase.key + 1)
        let file = FileSystem.join(directory, SQLiteFolder.rotatedName(key))
        databases.append(try SQLiteDatabaseFile(key: key, path: file, now: key))
        removeDrainedDatabases()  // the previous write database, if everything in it was acknowledged
        logger.debug("SQLite storage: write database reached size_limit \(configuration.sizeLimit) MB; writing to \(FileSystem.name(of: file))")
    }

    // MARK: read

    public func nextPack(maxEvents: Int) async throws -> EventPack? {
        guard !closed else { throw StorageError.closed }
        let expired = try expireIfDue(now: currentMilliseconds())
        if expired > 0 { report(dropped: expired, calm: false) }
        guard maxEvents > 0 else { return nil }
        let limit = min(maxEvents, configuration.maxReadRecordsCount)
        for database in databases where database.key >= handedOut.key && database.count > 0 {
            let after = database.key == handedOut.key ? handedOut.id : 0
            guard database.lastInsertedID > after else { continue }
            let (events, lastID) = try recent.rows(after: after, limit: limit, database: database.key)
                ?? database.read(after: after, limit: limit)
            guard !events.isEmpty else {
                // Only handed-out rows are left in this database.
                handedOut = Position(key: database.key, id: database.lastInsertedID)
                continue
            }
            handedOut = Position(key: database.key, id: lastID)
            return EventPack(position: StoragePosition(segment: database.key, offset: lastID), events: events)
        }
        return nil
    }

    public func acknowledge(_ pack: EventPack) async throws {
        guard !closed else { throw StorageError.closed }
        let target = Position(key: pack.position.segment, id: pack.position.offset)
        guard target > acknowledged else { return }
        var removed = 0
        // Packs of older databases were handed out before this one: acknowledged with it.
        while databases.count > 1, databases[0].key < target.key {
            let done = databases.removeFirst()
            removed += done.count
            done.closeAndRemoveFiles()
        }
        if let index = databases.firstIndex(where: { $0.key == target.key }) {
            removed += try databases[index].delete(through: target.id)
        }
        recent.forget(through: target.id, database: target.key)
        acknowledged = target
        if handedOut < target { handedOut = target }
        removeDrainedDatabases()
        counters.acknowledged += Int64(removed)
    }

    public func rewind() async {
        handedOut = acknowledged
    }

    public func waitForEvents() async {
        await suspendUntilEvents()
    }

    public func statistics() async -> StorageStatistics {
        var stats = counters
        for database in databases {
            stats.events += database.count
            stats.bytes += database.bytes
        }
        if !closed, let oldest = databases.first(where: { $0.count > 0 }),
           let timestamp = try? oldest.oldestTimestamp() {
            stats.oldestAgeMilliseconds = max(0, currentMilliseconds() - timestamp)
        }
        return stats
    }

    public func close() async {
        guard !closed else { return }
        closed = true
        bufferedWrite?.cancel()
        bufferedWrite = nil
        for index in databases.indices {
            do {
                try databases[index].close()
            } catch {
                logger.error("SQLite storage \(directory): buffered events lost at close: \(error)")
            }
        }
        waiters.resumeAll()
    }

    // MARK: housekeeping

    /// Deletes databases that hold no rows and are no longer written (the write database stays).
    private func removeDrainedDatabases() {
        var index = 0
        while index < databases.count - 1 {
            if databases[index].count == 0 {
                databases.remove(at: index).closeAndRemoveFiles()
            } else {
                index += 1
            }
        }
    }

    /// Deletes rows older than the TTL when the check period has elapsed (no timer, no polling).
    /// Timestamps are milliseconds on both sides (the reference compares ms with seconds).
    private func expireIfDue(now: Int64) throws -> Int {
        guard now - lastTTLCheck >= ttlCheckMilliseconds else { return 0 }
        lastTTLCheck = now
        recent.clear()
        var expired = 0
        for index in databases.indices where databases[index].count > 0 {
            expired += try databases[index].expire(cutoff: now - ttlMilliseconds)
        }
        removeDrainedDatabases()
        return expired
    }

    private func report(dropped: Int, calm: Bool) {
        guard dropped > 0 else {
            if calm { drops.noteCalm() }
            return
        }
        counters.dropped += Int64(dropped)
        if drops.noteDrops(dropped) {
            let cap = byteCap.map { "max_bytes \($0)" } ?? "max_db_amount \(configuration.maxDBAmount) × size_limit \(configuration.sizeLimit) MB"
            logger.warning("SQLite storage \(directory): dropping events (\(cap), TTL \(ttlMilliseconds) ms, policy \(configuration.limits.overflow.rawValue)); further drops in this burst are only counted")
        }
    }
}
