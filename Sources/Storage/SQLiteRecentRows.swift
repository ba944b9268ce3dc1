import Collections
import GatewayKit

/// The newest rows of the write database, kept in memory as they are inserted. The uplink
/// normally asks for exactly the rows just written, so it gets them from here instead of a read
/// transaction that would decode them back from the file.
///
/// Holds a run of consecutive row ids. It is bounded by rows and bytes: the oldest fall out and
/// are then read from the file like any older row. Whoever deletes rows other than by
/// acknowledgement (caps, TTL, rotation) clears it, so every row held here is also in the file
/// (or staged to be written to it, see `SQLiteDatabaseFile.stage`).
struct SQLiteRecentRows {
    let maxRows: Int
    let maxBytes: Int
    private var databaseKey: Int64 = -1
    private var events: Deque<StoredEvent> = []
    /// Id of `events.first`.
    private var firstID: Int64 = 0
    private var bytes = 0

    init(maxRows: Int, maxBytes: Int) {
        self.maxRows = maxRows
        self.maxBytes = maxBytes
    }

    private var lastID: Int64 { firstID + Int64(events.count) - 1 }

    /// Rows with ids `firstID`, `firstID + 1`, ... were committed or staged to database `key`.
    mutating func inserted(_ rows: [StoredEvent], firstID first: Int64, database key: Int64) {
        guard !rows.isEmpty else { return }
        if key != databaseKey || events.isEmpty || first != lastID + 1 {
            clear()
            databaseKey = key
            firstID = first
        }
        for row in rows {
            events.append(row)
            bytes += row.bytes.count
        }
        while events.count > maxRows || (bytes > maxBytes && events.count > 1) {
            bytes -= events.removeFirst().bytes.count
            firstID += 1
        }
    }

    /// At most `limit` rows after id `after` of database `key`, and the id of the last one; nil
    /// unless the row right after `after` is held (then the file must be read).
    func rows(after: Int64, limit: Int, database key: Int64) -> (events: [StoredEvent], lastID: Int64)? {
        guard key == databaseKey, !events.isEmpty, limit > 0, after + 1 >= firstID, after < lastID else { return nil }
        let start = Int(after + 1 - firstID)
        let end = min(events.count, start + limit)
        return (Array(events[start..<end]), firstID + Int64(end - 1))
    }

    /// Rows up to `id` of database `key` were acknowledged: they are never read again.
    mutating func forget(through id: Int64, database key: Int64) {
        if key > databaseKey { return clear() }
        guard key == databaseKey else { return }
        while !events.isEmpty, firstID <= id {
            bytes -= events.removeFirst().bytes.count
            firstID += 1
        }
    }

    mutating func clear() {
        events.removeAll()
        bytes = 0
        databaseKey = -1
    }
}
