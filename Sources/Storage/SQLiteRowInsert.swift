import GRDB
import GRDBSQLite

/// The one insert of the storage's hot path, bound through SQLite's C API. GRDB's
/// `execute(arguments:)` boxed the three values into an array of existentials and copied the
/// message into a `String` for every row: about 3 % of the gateway's CPU while it drained a
/// backlog through sqlite storage.
struct SQLiteRowInsert {
    static let sql = "INSERT INTO messages (id, timestamp, message) VALUES (?, ?, ?)"

    private let statement: Statement
    private let connection: OpaquePointer?

    /// A statement of `db`'s cache: valid for the transaction it is used in.
    init(_ db: Database) throws {
        statement = try db.cachedStatement(sql: Self.sql)
        connection = db.sqliteConnection
    }

    /// `message` is stored as TEXT (the reference's column type); its bytes are already UTF-8.
    func callAsFunction(id: Int64, timestamp: Int64, message: [UInt8]) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_bind_int64(handle, 1, id)
        sqlite3_bind_int64(handle, 2, timestamp)
        let code = message.withUnsafeBytes { bytes -> Int32 in
            // SQLITE_STATIC: the bytes are only borrowed for the step below; the binding is
            // cleared before they go away.
            let text = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) ?? UnsafePointer<CChar>(bitPattern: 1)
            let bound = sqlite3_bind_text(handle, 3, text, Int32(bytes.count), nil)
            guard bound == SQLITE_OK else { return bound }
            defer { sqlite3_clear_bindings(handle) }
            return sqlite3_step(handle)
        }
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code),
                                message: connection.map { String(cString: sqlite3_errmsg($0)) }, sql: Self.sql)
        }
    }
}
