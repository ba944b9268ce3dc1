import Foundation
import GatewayKit
import Storage
import Testing

/// Rotation into `data_<ms>.db` files, `max_db_amount` and restarts, observed through the storage
/// API and the files on disk.
@Suite(.timeLimit(.minutes(2))) struct SQLiteRotationTests {
    @Test func rotatedDatabasesAreReadInOrderAndDeletedOnceAcknowledged() async throws {
        let folder = try scratch("rotation") + "/data"
        let storage = try rotatingSQLite(folder)
        #expect(try await append(storage, 0..<1500) == 0)
        let names = try databaseNames(folder)
        #expect(names.first == "data.db")
        #expect(names.count >= 3, "expected several databases, found \(names)")
        #expect(names.dropFirst().allSatisfy { rotatedMillis($0) > 0 }, "\(names)")

        var delivered: [String] = []
        var databasesRead: [Int64] = []
        while let pack = try await storage.nextPack(maxEvents: 64) {
            delivered += texts(pack)
            if databasesRead.last != pack.position.segment { databasesRead.append(pack.position.segment) }
            try await storage.acknowledge(pack)
        }
        #expect(delivered == texts(0..<1500))
        #expect(databasesRead.count == names.count)
        // Only the write database stays (with its WAL files); the drained ones went with theirs.
        let left = try FileManager.default.contentsOfDirectory(atPath: folder)
        let writeDatabase = try #require(names.last)
        #expect(Set(left).isSubset(of: [writeDatabase, writeDatabase + "-wal", writeDatabase + "-shm"]), "\(left)")
        let stats = await storage.statistics()
        #expect(stats.events == 0)
        #expect(stats.acknowledged == 1500)
        #expect(stats.dropped == 0)
        await storage.close()
    }

    @Test func acknowledgeAndRewindWorkAcrossDatabases() async throws {
        let folder = try scratch("rotation-rewind") + "/data"
        let storage = try rotatingSQLite(folder)
        try await append(storage, 0..<1500)
        let names = try databaseNames(folder)
        #expect(names.count >= 3)
        // Hand everything out without acknowledging; note where each pack ends.
        let packs = try await drain(storage, packSize: 100).packs
        var ends: [Int] = []
        for pack in packs { ends.append((ends.last ?? 0) + pack.events.count) }
        #expect(ends.last == 1500)
        let firstKey = packs[0].position.segment
        let lastOfFirst = try #require(packs.lastIndex { $0.position.segment == firstKey })

        // Acknowledging the first database's last pack deletes data.db.
        try await storage.acknowledge(packs[lastOfFirst])
        #expect(!FileManager.default.fileExists(atPath: folder + "/data.db"))
        await storage.rewind()
        #expect(try await drain(storage).texts == texts(ends[lastOfFirst]..<1500))

        // A pack of the third database implies the earlier ones: the second database goes too.
        await storage.rewind()
        let again = try await drain(storage, packSize: 100).packs
        let thirdKey = try #require(Array(Set(again.map(\.position.segment))).sorted().dropFirst().first)
        let inThird = try #require(again.firstIndex { $0.position.segment == thirdKey })
        try await storage.acknowledge(again[inThird])
        #expect(!FileManager.default.fileExists(atPath: folder + "/" + names[1]))
        let acknowledged = ends[lastOfFirst] + again[...inThird].reduce(0) { $0 + $1.events.count }
        #expect(await storage.statistics().events == 1500 - acknowledged)
        await storage.rewind()
        #expect(try await drain(storage).texts == texts(acknowledged..<1500))
        await storage.close()
    }

    @Test func aRestartReadsEveryDatabaseInOrder() async throws {
        let folder = try scratch("rotation-restart") + "/data"
        do {
            let storage = try rotatingSQLite(folder)
            try await append(storage, 0..<1200)
            let pack = try #require(try await storage.nextPack(maxEvents: 100))
            try await storage.acknowledge(pack)
            _ = try await storage.nextPack(maxEvents: 100)  // handed out, never acknowledged
            await storage.close()
        }
        #expect(try databaseNames(folder).count >= 3)
        let reopened = try rotatingSQLite(folder)
        #expect(await reopened.statistics().events == 1100)
        #expect(try await drain(reopened).texts == texts(100..<1200))
        // It keeps writing after the newest database.
        try await reopened.append(events(1200..<1201))
        await reopened.rewind()
        #expect(try await drain(reopened).texts == texts(100..<1201))
        await reopened.close()
    }

    @Test func atMaxDBAmountDropOldestDeletesTheOldestDatabaseAndCountsIt() async throws {
        let folder = try scratch("rotation-drop") + "/data"
        let storage = try rotatingSQLite(folder, maxDatabases: 3)
        let dropped = try await append(storage, 0..<3000)
        #expect(try databaseNames(folder).count <= 3)
        let kept = try await drain(storage).texts
        #expect(dropped > 0)
        #expect(kept.count + dropped == 3000)
        #expect(kept == texts((3000 - kept.count)..<3000), "the newest are kept, in order")
        #expect(await storage.statistics().dropped == Int64(dropped))
        await storage.close()
    }

    @Test func atMaxDBAmountRejectNewestRefusesAndCountsThem() async throws {
        let folder = try scratch("rotation-reject") + "/data"
        let storage = try rotatingSQLite(folder, maxDatabases: 3, overflow: "rejectNewest")
        let refused = try await append(storage, 0..<3000)
        #expect(try databaseNames(folder).count <= 3)
        // Full, it refuses a whole batch, and says which events.
        #expect(try await storage.append(events(5000..<5003)) == AppendResult(dropped: 3, refused: [0, 1, 2]))
        let (kept, packs) = try await drain(storage)
        #expect(refused > 0)
        #expect(kept == texts(0..<(3000 - refused)), "the oldest are kept, in order")
        #expect(await storage.statistics().dropped == Int64(refused + 3))
        // Once the backlog is sent the drained databases are gone and new events fit again.
        for pack in packs { try await storage.acknowledge(pack) }
        #expect(try await storage.append(events(3000..<3001)) == AppendResult())
        #expect(try await drain(storage).texts == texts(3000..<3001))
        await storage.close()
    }

    @Test(arguments: ["dropOldest", "rejectNewest"])
    func withOneDatabaseTheCapHoldsWithinIt(overflow: String) async throws {
        let folder = try scratch("rotation-single-\(overflow)") + "/data"
        let storage = try rotatingSQLite(folder, maxDatabases: 1, overflow: overflow)
        let dropped = try await append(storage, 0..<3000)
        #expect(try databaseNames(folder) == ["data.db"])
        let kept = try await drain(storage).texts
        #expect(dropped > 0)
        #expect(kept.count + dropped == 3000)
        let expected = overflow == "dropOldest" ? texts((3000 - kept.count)..<3000) : texts(0..<kept.count)
        #expect(kept == expected)
        #expect(await storage.statistics().dropped == Int64(dropped))
        await storage.close()
        // Freed pages are reused: the file stays near size_limit instead of growing with the input.
        let size = try #require(try FileManager.default.attributesOfItem(atPath: folder + "/data.db")[.size] as? Int)
        #expect(size < 120_000, "data.db is \(size) bytes")
    }
}

/// Folders written by the reference gateway: rotated databases and its old schemas.
@Suite struct SQLiteReferenceFolderTests {
    private func open(_ folder: String) throws -> any EventStorage {
        try makeEventStorage(try StorageConfiguration(json: ["type": "sqlite", "data_file_path": .string(folder + "/")],
                                                      file: "tb_gateway.json"),
                             baseDirectory: "/", logger: testLogger)
    }

    private var nowMilliseconds: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    @Test func aReferenceFolderWithRotatedDatabasesIsReadOldestFirst() async throws {
        let folder = try scratch("sqlite-reference-rotated") + "/data"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let now = nowMilliseconds
        // Created newest first, so neither creation order nor mtime can explain a right answer.
        try sqlite3(folder + "/data_1700000005000.db", referenceSchema + referenceInserts(6..<9, timestamp: now))
        try sqlite3(folder + "/data_1700000000000.db", referenceSchema + referenceInserts(3..<6, timestamp: now))
        try sqlite3(folder + "/data.db", referenceSchema + referenceInserts(0..<3, timestamp: now))
        try sqlite3(folder + "/other.db", referenceSchema + referenceInserts(100..<101, timestamp: now))

        let storage = try open(folder)
        #expect(await storage.statistics().events == 9)
        let (delivered, packs) = try await drain(storage, packSize: 2)
        #expect(delivered == texts(0..<9))
        for pack in packs { try await storage.acknowledge(pack) }
        try await storage.append(events(9..<10))
        await storage.close()
        // Drained databases are deleted; the newest is the write database; foreign files are left alone.
        #expect(try databaseNames(folder) == ["other.db", "data_1700000005000.db"])
        let rows = try sqlite3(folder + "/data_1700000005000.db", "SELECT message FROM messages ORDER BY id;")
        #expect(rows.split(separator: "\n").map(String.init) == texts(9..<10))
    }

    /// A damaged database file does not stop the storage (and with it the gateway): it is renamed
    /// aside for inspection, the readable databases are delivered, new events are stored.
    @Test func aDatabaseThatIsNotReadableIsSetAsideAndTheRestGoesOn() async throws {
        let folder = try scratch("sqlite-unreadable") + "/data"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try sqlite3(folder + "/data.db", referenceSchema + referenceInserts(0..<3, timestamp: nowMilliseconds))
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: folder + "/data_1700000000000.db"))

        let storage = try open(folder)
        try await storage.append(events(3..<4))
        let (delivered, packs) = try await drain(storage, packSize: 10)
        #expect(delivered == texts(0..<4))
        for pack in packs { try await storage.acknowledge(pack) }
        await storage.close()
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(names.contains { $0.hasPrefix("data_1700000000000.db.unreadable-") }, "\(names)")

        // A damaged base database alone: a new one takes its place.
        let lone = try scratch("sqlite-unreadable-base") + "/data"
        try FileManager.default.createDirectory(atPath: lone, withIntermediateDirectories: true)
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: lone + "/data.db"))
        let fresh = try open(lone)
        try await fresh.append(events(0..<2))
        #expect(try await drain(fresh).texts == texts(0..<2))
        await fresh.close()
        #expect(try FileManager.default.contentsOfDirectory(atPath: lone).contains { $0.hasPrefix("data.db.unreadable-") })
    }

    @Test func theReferencesOldSchemaIsMigratedWithSecondsTurnedIntoMilliseconds() async throws {
        let folder = try scratch("sqlite-old-schema") + "/data"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let nowSeconds = Date().timeIntervalSince1970
        let eightDaysAgo = nowSeconds - 8 * 86_400
        // The reference's old writer stored time() (float seconds); the first row is past the 7-day TTL.
        let inserts = (0..<4).map {
            "INSERT INTO messages (timestamp, message) VALUES (\($0 == 0 ? eightDaysAgo : nowSeconds), '\(event($0).text)');"
        }.joined()
        try sqlite3(folder + "/data.db", "CREATE TABLE messages (timestamp INTEGER, message TEXT);" + inserts)

        let storage = try open(folder)
        #expect(try await drain(storage).texts == texts(1..<4))
        #expect(await storage.statistics().dropped == 1, "the 8-day-old row expires (7-day TTL)")
        await storage.close()
        let columns = try sqlite3(folder + "/data.db", "SELECT name FROM pragma_table_info('messages');")
        #expect(columns.split(separator: "\n") == ["id", "timestamp", "message"])
        let stamps = try sqlite3(folder + "/data.db", "SELECT timestamp FROM messages ORDER BY id;")
            .split(separator: "\n").compactMap { Int64($0) }
        #expect(stamps.count == 3)
        #expect(stamps.allSatisfy { abs($0 - Int64(nowSeconds * 1000)) < 60_000 }, "\(stamps)")
    }

    @Test func aMessageOnlyTableIsMigratedInOrder() async throws {
        let folder = try scratch("sqlite-message-only") + "/data"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let inserts = (0..<3).map { "INSERT INTO messages (message) VALUES ('\(event($0).text)');" }.joined()
        try sqlite3(folder + "/data.db", "CREATE TABLE messages (message TEXT);" + inserts)
        let storage = try open(folder)
        #expect(try await drain(storage).texts == texts(0..<3))
        #expect(await storage.statistics().dropped == 0)
        await storage.close()
    }
}
