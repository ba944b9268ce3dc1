import Foundation
import GatewayKit
import Storage
import Testing

/// Runs the real `sqlite3` tool (what the reference, or an operator, would see) and returns its output.
@discardableResult
func sqlite3(_ database: String, _ sql: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    process.arguments = [database, sql]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "sqlite3 failed: \(sql)")
    return String(decoding: data, as: UTF8.self)
}

/// `INSERT`s of `event(i)` rows in the reference's current schema, stamped `timestamp`.
func referenceInserts(_ range: Range<Int>, timestamp: Int64) -> String {
    range.map { "INSERT INTO messages (timestamp, message) VALUES (\(timestamp), '\(event($0).text)');" }.joined()
}

let referenceSchema = """
    CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp INTEGER NOT NULL, message TEXT NOT NULL);
    CREATE INDEX idx_timestamp ON messages (timestamp);
    """

/// A sqlite storage in `folder` whose databases rotate every few hundred test events
/// (`size_limit` 0.05 MB; an empty database already uses 4 pages of 4 KiB).
func rotatingSQLite(_ folder: String, sizeLimit: Double = 0.05, maxDatabases: Int = 100,
                    overflow: String = "dropOldest") throws -> any EventStorage {
    let json: JSONValue = ["type": "sqlite", "data_file_path": .string(folder + "/"), "size_limit": .double(sizeLimit),
                           "max_db_amount": .int(Int64(maxDatabases)), "overflow": .string(overflow)]
    return try makeEventStorage(try StorageConfiguration(json: json, file: "tb_gateway.json"),
                                baseDirectory: "/", logger: testLogger)
}

/// The database files in `folder` (`.db` only), oldest first as the storage orders them.
func databaseNames(_ folder: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".db") }.sorted {
        rotatedMillis($0) < rotatedMillis($1)
    }
}

/// 0 for `data.db`, the ms in `data_<ms>.db`, -1 for any other name.
func rotatedMillis(_ name: String) -> Int64 {
    if name == "data.db" { return 0 }
    guard name.hasPrefix("data_"), name.hasSuffix(".db"), let ms = Int64(name.dropFirst(5).dropLast(3)) else { return -1 }
    return ms
}

/// Appends `range` in batches of `batch`, returning how many the storage reported dropped.
@discardableResult
func append(_ storage: any EventStorage, _ range: Range<Int>, batch: Int = 50) async throws -> Int {
    var dropped = 0
    for start in stride(from: range.lowerBound, to: range.upperBound, by: batch) {
        dropped += try await storage.append(events(start..<min(start + batch, range.upperBound))).dropped
    }
    return dropped
}
