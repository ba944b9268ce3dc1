import GRDB

/// The reference's `messages` schema, and the migration of its older one.
enum SQLiteSchema {
    /// Timestamps below this (year 1973 in ms, year 5138 in s) are seconds: the reference's old
    /// schema stored `time()` seconds, and its migration copies them unchanged.
    static let smallestMilliseconds: Int64 = 100_000_000_000

    /// Creates the table and index if missing. A `messages` table without `id` or `timestamp`
    /// (the reference's old `messages (timestamp INTEGER, message TEXT)`, or older still just
    /// `message`) is migrated in the same transaction, keeping row order and converting seconds to
    /// ms, so a crash leaves either the old table or the new one.
    static func prepare(_ db: Database, now: Int64) throws {
        if try db.tableExists("messages") {
            let columns = Set(try db.columns(in: "messages").map { $0.name.lowercased() })
            if !columns.contains("id") || !columns.contains("timestamp") {
                try migrate(db, hasTimestamp: columns.contains("timestamp"), now: now)
            }
        }
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS messages (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                timestamp INTEGER NOT NULL,
                message TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS idx_timestamp ON messages (timestamp);
            """)
    }

    private static func migrate(_ db: Database, hasTimestamp: Bool, now: Int64) throws {
        let timestamp = hasTimestamp
            ? """
              CASE WHEN timestamp IS NULL THEN :now
                   WHEN timestamp < \(smallestMilliseconds) THEN CAST(timestamp * 1000 AS INTEGER)
                   ELSE CAST(timestamp AS INTEGER) END
              """
            : ":now"
        // The old table's indexes move with it on rename and go when it is dropped.
        try db.execute(sql: """
            ALTER TABLE messages RENAME TO messages_old;
            CREATE TABLE messages (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                timestamp INTEGER NOT NULL,
                message TEXT NOT NULL);
            """)
        try db.execute(sql: """
            INSERT INTO messages (timestamp, message)
                SELECT \(timestamp), CAST(message AS TEXT) FROM messages_old
                WHERE message IS NOT NULL ORDER BY rowid
            """, arguments: ["now": now])
        try db.execute(sql: "DROP TABLE messages_old")
    }
}
