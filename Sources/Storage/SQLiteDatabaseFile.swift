import Collections
import GatewayKit
import GRDB

/// One database of the sqlite storage: the base `data.db` or a rotated `data_<epochMillis>.db`,
/// with the reference's `messages` table. Keeps its own row count and byte totals so the storage
/// never counts rows on the hot path.
///
/// Rows can be staged (`stage`): given their ids and counted at once, written by `flushStaged`
/// later. Staged rows acknowledged before that are never written at all. Staged ids always follow
/// every written id, so the file plus the staged rows is one run of rows in id order.
///
/// Every method is synchronous on purpose (see `SQLiteEventStorage`): called from the actor, a
/// non-async context selects GRDB's blocking overloads, so no other actor call can interleave.
struct SQLiteDatabaseFile {
    /// Orders the databases oldest first: 0 for the base file, the epoch ms of a rotated file's name.
    let key: Int64
    let path: String
    private let queue: DatabaseQueue
    private let checkpointer: SQLiteCheckpointer
    /// WAL pages written since the last checkpoint request, estimated: a transaction rewrites
    /// the pages of the rows it touches plus about two (b-tree interior or sqlite_sequence,
    /// freelist or header).
    private var pagesSinceCheckpoint: Int64 = 0
    private let pageSize: Int64
    /// Rows stored (unacknowledged), staged ones included.
    private(set) var count: Int
    /// Bytes of their message text.
    private(set) var bytes: Int64
    /// Highest id ever given to a row, staged or written (ids only grow: AUTOINCREMENT).
    private(set) var lastInsertedID: Int64
    /// Rows given ids but not written yet, oldest first.
    private var staged: Deque<StagedRow> = []
    private(set) var stagedBytes: Int64 = 0
    var stagedCount: Int { staged.count }
    /// Rows in the file itself.
    private var writtenCount: Int { count - staged.count }
    /// Bytes of the pages in use, (page_count − freelist_count) × page_size: what rotation compares
    /// with `size_limit`. Unlike the file size it shrinks when rows are deleted (SQLite reuses free
    /// pages) and it includes pages still in the WAL.
    private(set) var usedBytes: Int64

    /// Opens (creating if needed) the database, creating the schema or migrating the reference's
    /// old one, and reads its totals.
    init(key: Int64, path: String, now: Int64) throws {
        self.key = key
        self.path = path
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous=NORMAL")
            // Checkpoints run on SQLiteCheckpointer's thread; this one only bounds the WAL.
            try db.execute(sql: "PRAGMA wal_autocheckpoint=\(SQLiteCheckpointer.walPagesBound)")
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            let summary = try queue.write { db -> (Int, Int64, Int64, Int64, Int64) in
                try SQLiteSchema.prepare(db, now: now)
                let row = try Row.fetchOne(db, sql: """
                    SELECT COUNT(*), COALESCE(SUM(LENGTH(CAST(message AS BLOB))), 0), COALESCE(MAX(id), 0)
                    FROM messages
                    """)!
                // AUTOINCREMENT never reuses ids, even after the newest rows were deleted.
                let sequence = try Int64.fetchOne(
                    db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'messages'") ?? 0
                let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
                return (row[0], row[1], max(row[2], sequence), pageSize, try Self.usedPages(db))
            }
            (count, bytes, lastInsertedID, pageSize) = (summary.0, summary.1, summary.2, summary.3)
            usedBytes = summary.4 * pageSize
            checkpointer = try SQLiteCheckpointer(path: path)
        } catch let error as DatabaseError where [.SQLITE_NOTADB, .SQLITE_CORRUPT].contains(error.resultCode) {
            throw StorageError.unreadableDatabase(path: path, reason: "\(error)")
        } catch {
            throw StorageError.corrupt(path: path, reason: "cannot open the SQLite database: \(error)")
        }
    }

    private static func usedPages(_ db: Database) throws -> Int64 {
        // Cached: these run in every write transaction. Both pragmas read the database when
        // stepped, not when prepared, so a reused statement sees the current counts.
        let pages = try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA page_count")) ?? 0
        let free = try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA freelist_count")) ?? 0
        return pages - free
    }

    /// Inserts in one committed transaction, after any staged rows: once this returns, a process
    /// crash loses nothing. On failure these events are not kept (the caller reports them refused);
    /// rows staged before stay staged.
    mutating func insert(_ events: [StoredEvent], timestamp: Int64) throws {
        stage(events, timestamp: timestamp)
        do {
            try flushStaged()
        } catch {
            for _ in events {
                let size = Int64(staged.removeLast().event.bytes.count)
                stagedBytes -= size
                bytes -= size
            }
            count -= events.count
            lastInsertedID -= Int64(events.count)
            throw error
        }
    }

    /// Gives the events the next ids and counts them; `flushStaged` writes them.
    mutating func stage(_ events: [StoredEvent], timestamp: Int64, at instant: ContinuousClock.Instant = .now) {
        for event in events {
            lastInsertedID += 1
            staged.append(StagedRow(id: lastInsertedID, timestamp: timestamp, stagedAt: instant, event: event))
            stagedBytes += Int64(event.bytes.count)
            bytes += Int64(event.bytes.count)
        }
        count += events.count
    }

    /// When the oldest staged row was staged; nil when none is.
    var oldestStagedAt: ContinuousClock.Instant? { staged.first?.stagedAt }

    /// Writes the staged rows in one committed transaction. On failure they stay staged.
    mutating func flushStaged() throws {
        try flushStaged(first: staged.count)
    }

    /// Writes the rows staged at or before `cutoff` (the oldest ones, so written ids still precede
    /// staged ones) in one committed transaction. On failure they stay staged.
    mutating func flushStaged(stagedBy cutoff: ContinuousClock.Instant) throws {
        try flushStaged(first: staged.prefix { $0.stagedAt <= cutoff }.count)
    }

    private mutating func flushStaged(first rowCount: Int) throws {
        guard rowCount > 0 else { return }
        let rows = staged.prefix(rowCount)
        let pages = try queue.write { db -> Int64 in
            let insert = try SQLiteRowInsert(db)
            for row in rows {
                try insert(id: row.id, timestamp: row.timestamp, message: row.event.bytes)
            }
            return try Self.usedPages(db)
        }
        var written: Int64 = 0
        for row in rows { written += Int64(row.event.bytes.count) }
        staged.removeFirst(rowCount)
        usedBytes = pages * pageSize
        noteCommit(rowBytes: written)
        stagedBytes -= written
    }

    private mutating func noteCommit(rowBytes: Int64) {
        pagesSinceCheckpoint += 2 + rowBytes / pageSize
        if pagesSinceCheckpoint >= SQLiteCheckpointer.pagesPerCheckpoint {
            pagesSinceCheckpoint = 0
            checkpointer.request()
        }
    }

    /// At most `limit` events with ids above `after`, oldest first, and the id of the last one.
    func read(after: Int64, limit: Int) throws -> (events: [StoredEvent], lastID: Int64) {
        var (events, lastID) = writtenCount > 0 ? try readWritten(after: after, limit: limit) : ([], after)
        for row in staged where row.id > after && events.count < limit {
            events.append(row.event)
            lastID = row.id
        }
        return (events, lastID)
    }

    private func readWritten(after: Int64, limit: Int) throws -> (events: [StoredEvent], lastID: Int64) {
        try queue.read { db in
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: "SELECT id, message FROM messages WHERE id > ? ORDER BY id LIMIT ?"),
                arguments: [after, limit])
            var events: [StoredEvent] = []
            events.reserveCapacity(limit)
            var lastID = after
            while let row = try rows.next() {
                lastID = row[0]
                let text: String = row[1]
                events.append(StoredEvent(bytes: Array(text.utf8)))
            }
            return (events, lastID)
        }
    }

    /// Deletes every row up to `id` (an acknowledged pack); returns how many rows went. Staged
    /// rows go without touching the file.
    mutating func delete(through id: Int64) throws -> Int {
        var unstaged = 0
        while let first = staged.first, first.id <= id {
            let size = Int64(staged.removeFirst().event.bytes.count)
            stagedBytes -= size
            bytes -= size
            count -= 1
            unstaged += 1
        }
        // Written rows are older than staged ones: with staged rows acknowledged, any written
        // ones are too. No written rows, no transaction.
        guard writtenCount > 0 else { return unstaged }
        let (removed, freed, pages) = try queue.write { db -> (Int, Int64, Int64) in
            let freed = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT COALESCE(SUM(LENGTH(CAST(message AS BLOB))), 0) FROM messages WHERE id <= ?"),
                arguments: [id]) ?? 0
            try db.cachedStatement(sql: "DELETE FROM messages WHERE id <= ?").execute(arguments: [id])
            return (db.changesCount, freed, try Self.usedPages(db))
        }
        account(removed: removed, freed: freed, pages: pages)
        return unstaged + removed
    }

    /// Deletes the oldest rows until at least `target` bytes of message text are freed (at least
    /// one row); returns how many rows and bytes went.
    mutating func evictOldest(bytes target: Int64) throws -> (count: Int, bytes: Int64) {
        try flushStaged()
        let (removed, freed, pages) = try queue.write { db -> (Int, Int64, Int64) in
            let rows = try Row.fetchCursor(db, sql: "SELECT id, LENGTH(CAST(message AS BLOB)) FROM messages ORDER BY id")
            var freed: Int64 = 0
            var lastID: Int64?
            while freed < target || lastID == nil, let row = try rows.next() {
                lastID = row[0]
                freed += row[1] as Int64
            }
            guard let lastID else { return (0, 0, try Self.usedPages(db)) }
            try db.execute(sql: "DELETE FROM messages WHERE id <= ?", arguments: [lastID])
            return (db.changesCount, freed, try Self.usedPages(db))
        }
        account(removed: removed, freed: freed, pages: pages)
        return (removed, freed)
    }

    /// Deletes rows stored at or before `cutoff` (epoch ms); returns how many went. Rows the
    /// reference migrated from its old schema carry seconds, which are compared as seconds.
    mutating func expire(cutoff: Int64) throws -> Int {
        try flushStaged()
        let (removed, freed, pages) = try queue.write { db -> (Int, Int64, Int64) in
            let condition = "timestamp <= :seconds OR (timestamp >= \(SQLiteSchema.smallestMilliseconds) AND timestamp <= :millis)"
            let arguments: StatementArguments = ["seconds": cutoff / 1000, "millis": cutoff]
            let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*), COALESCE(SUM(LENGTH(CAST(message AS BLOB))), 0) FROM messages WHERE \(condition)
                """, arguments: arguments)!
            let (expired, freed): (Int, Int64) = (row[0], row[1])
            guard expired > 0 else { return (0, 0, try Self.usedPages(db)) }
            try db.execute(sql: "DELETE FROM messages WHERE \(condition)", arguments: arguments)
            return (db.changesCount, freed, try Self.usedPages(db))
        }
        account(removed: removed, freed: freed, pages: pages)
        return removed
    }

    /// Epoch ms of the oldest stored row (seconds from a migrated reference row are scaled).
    func oldestTimestamp() throws -> Int64? {
        guard writtenCount > 0 else { return staged.first?.timestamp }
        guard let oldest = try queue.read({ db in try Int64.fetchOne(db, sql: "SELECT MIN(timestamp) FROM messages") })
        else { return nil }
        return oldest < SQLiteSchema.smallestMilliseconds ? oldest * 1000 : oldest
    }

    private mutating func account(removed: Int, freed: Int64, pages: Int64) {
        count -= removed
        bytes -= freed
        usedBytes = pages * pageSize
        noteCommit(rowBytes: freed)
    }

    /// Writes the staged rows, then closes. The checkpointer first: closing the last connection
    /// checkpoints what is left of the WAL. Throws only when the staged rows could not be written
    /// (the file is closed all the same).
    mutating func close() throws {
        defer { closeConnections() }
        try flushStaged()
    }

    private func closeConnections() {
        checkpointer.close()
        try? queue.close()
    }

    /// Closes the connection and deletes the database with its WAL and shared-memory files. The WAL
    /// goes first: a stale WAL next to a later file of the same name must never be replayed.
    func closeAndRemoveFiles() {
        closeConnections()
        FileSystem.remove(path + "-wal")
        FileSystem.remove(path + "-shm")
        FileSystem.remove(path)
    }
}

/// A row given its id, waiting to be written.
private struct StagedRow {
    let id: Int64
    let timestamp: Int64
    /// Monotonic, so a wall-clock step never keeps a row from its delayed write.
    let stagedAt: ContinuousClock.Instant
    let event: StoredEvent
}
