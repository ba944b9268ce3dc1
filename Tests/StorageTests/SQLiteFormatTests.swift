import Foundation
import GatewayKit
import Storage
import Testing

/// The sqlite storage uses the reference's `messages` table; checked with the real `sqlite3` tool.
@Suite struct SQLiteFormatTests {
    private func configuration(_ path: String) throws -> StorageConfiguration {
        try StorageConfiguration(json: ["type": "sqlite", "data_file_path": .string(path)], file: "tb_gateway.json")
    }

    @Test func readsADatabaseCreatedWithTheReferenceSchema() async throws {
        let folder = try scratch("sqlite-reference") + "/data/"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let inserts = (0..<4).map {
            "INSERT INTO messages (timestamp, message) VALUES (\(now), '\(event($0).text)');"
        }.joined()
        try sqlite3(folder + "data.db", """
            CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp INTEGER NOT NULL, message TEXT NOT NULL);
            CREATE INDEX idx_timestamp ON messages (timestamp);
            \(inserts)
            """)
        let storage = try makeEventStorage(try configuration(folder), baseDirectory: "/", logger: testLogger)
        #expect(await storage.statistics().events == 4)
        let pack = try #require(try await storage.nextPack(maxEvents: 3))
        #expect(texts(pack) == texts(0..<3))
        try await storage.acknowledge(pack)
        try await storage.append(events(4..<5))
        await storage.close()
        // What is left, as the reference (or anyone with sqlite3) sees it.
        let rows = try sqlite3(folder + "data.db", "SELECT message FROM messages ORDER BY id;")
        #expect(rows.split(separator: "\n").map(String.init) == texts(3..<5))
    }

    /// As the Python gateway reads `data_file_path`: the directory part holds `data.db`, a file
    /// name is ignored, so a database the Python gateway wrote is the one read.
    @Test func aFileNameInDataFilePathIsIgnoredAsByThePythonGateway() async throws {
        let directory = try scratch("sqlite-file-path")
        try sqlite3(directory + "/data.db", referenceSchema + referenceInserts(0..<2, timestamp: Int64(Date().timeIntervalSince1970 * 1000)))
        let storage = try makeEventStorage(try configuration("./custom.db"), baseDirectory: directory, logger: testLogger)
        #expect(try await drain(storage).texts == texts(0..<2), "the Python gateway's backlog in data.db")
        try await storage.append(events(2..<3))
        await storage.close()
        #expect(!FileManager.default.fileExists(atPath: directory + "/custom.db"))
        let journal = try sqlite3(directory + "/data.db", "PRAGMA journal_mode;")
        #expect(journal.trimmingCharacters(in: .whitespacesAndNewlines) == "wal")
    }
}
