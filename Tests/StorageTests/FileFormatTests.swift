import Foundation
import GatewayKit
import Storage
import Testing

/// The file storage reads and writes the reference gateway's data folder format.
@Suite struct FileFormatTests {
    private func fileConfiguration(_ folder: String, extra: JSONObject = [:]) throws -> StorageConfiguration {
        var object: JSONObject = ["type": "file", "data_folder_path": .string(folder)]
        for (key, value) in extra { object[key] = value }
        return try StorageConfiguration(json: .object(object), file: "tb_gateway.json")
    }

    private func referenceLine(_ json: String) -> String {
        Data(json.utf8).base64EncodedString() + "\n"
    }

    @Test func readsAFolderWrittenByTheReferenceGateway() async throws {
        let folder = try scratch("reference-folder") + "/data"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let older = (0..<3).map { referenceLine(event($0).text) }.joined()
        let newer = (3..<6).map { referenceLine(event($0).text) }.joined()
        let consumed = referenceLine(#"{"deviceName":"old"}"#)
        try consumed.write(toFile: folder + "/data_1700000000000.txt", atomically: true, encoding: .utf8)
        try older.write(toFile: folder + "/data_1700000000100.txt", atomically: true, encoding: .utf8)
        try newer.write(toFile: folder + "/data_1700000000200.txt", atomically: true, encoding: .utf8)
        // The reference had consumed the first file and one line of the second.
        try #"{"file": "data_1700000000100.txt", "position": 1}"#
            .write(toFile: folder + "/state_file.txt", atomically: true, encoding: .utf8)

        let storage = try makeEventStorage(try fileConfiguration(folder), baseDirectory: "/", logger: testLogger)
        #expect(await storage.statistics().events == 5)
        let (delivered, packs) = try await drain(storage, packSize: 2)
        #expect(delivered == texts(1..<6))
        for pack in packs { try await storage.acknowledge(pack) }
        await storage.close()
        // Consumed files are gone; only the last (write) file and the pointer to its end remain.
        let left = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(left == ["data_1700000000200.txt", "state_file.txt"])
        let state = try String(contentsOfFile: folder + "/state_file.txt", encoding: .utf8)
        #expect(state == #"{"file":"data_1700000000200.txt","position":3}"#)
    }

    @Test func writesTheReferenceFormat() async throws {
        let folder = try scratch("writes-format") + "/data"
        let storage = try makeEventStorage(
            try fileConfiguration(folder, extra: ["max_records_per_file": 2]), baseDirectory: "/", logger: testLogger)
        try await storage.append(events(0..<3))
        let pack = try #require(try await storage.nextPack(maxEvents: 1))
        try await storage.acknowledge(pack)
        await storage.close()

        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        let dataFiles = names.filter { $0.hasPrefix("data_") && $0.hasSuffix(".txt") }
        #expect(dataFiles.count == 2)
        #expect(names.contains("state_file.txt"))
        var lines: [String] = []
        for name in dataFiles {
            let content = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
            #expect(content.hasSuffix("\n"))
            lines += content.split(separator: "\n").map {
                String(decoding: Data(base64Encoded: String($0))!, as: UTF8.self)
            }
        }
        #expect(lines == texts(0..<3))
        let state = try String(contentsOfFile: folder + "/state_file.txt", encoding: .utf8)
        #expect(state == #"{"file":"\#(dataFiles[0])","position":1}"#)
    }

    @Test func aPartialLastLineFromAnInterruptedWriteIsIgnored() async throws {
        let folder = try scratch("partial-line") + "/data"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let content = referenceLine(event(0).text) + referenceLine(event(1).text) + "eyJkZXZpY2VOYW1l"
        try content.write(toFile: folder + "/data_1700000000000.txt", atomically: true, encoding: .utf8)

        let storage = try makeEventStorage(try fileConfiguration(folder), baseDirectory: "/", logger: testLogger)
        #expect(await storage.statistics().events == 2)
        try await storage.append(events(2..<3))
        #expect(try await drain(storage).texts == texts(0..<3))
        await storage.close()
    }

    @Test func aLineThatIsNotBase64IsSkippedAndCounted() async throws {
        let folder = try scratch("bad-line") + "/data"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let content = referenceLine(event(0).text) + "not base64!\n" + referenceLine(event(1).text)
        try content.write(toFile: folder + "/data_1700000000000.txt", atomically: true, encoding: .utf8)
        let storage = try makeEventStorage(try fileConfiguration(folder), baseDirectory: "/", logger: testLogger)
        let (delivered, packs) = try await drain(storage)
        #expect(delivered == texts(0..<2))
        #expect(await storage.statistics().dropped == 1)
        for pack in packs { try await storage.acknowledge(pack) }
        #expect(await storage.statistics().events == 0)
        await storage.close()
    }

    /// Unreadable last lines are skipped once: the storage does not keep announcing them, so the
    /// uplink waits for new events instead of re-reading (and re-logging) them without pause.
    @Test func unreadableLastLinesAreSkippedOnceAndNothingIsAnnouncedAfterThem() async throws {
        let folder = try scratch("bad-last-lines") + "/data"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let content = referenceLine(event(0).text) + "not base64!\n" + "neither?\n"
        try content.write(toFile: folder + "/data_1700000000000.txt", atomically: true, encoding: .utf8)
        let storage = try makeEventStorage(try fileConfiguration(folder), baseDirectory: "/", logger: testLogger)
        let first = try #require(try await storage.nextPack(maxEvents: 1))
        try await storage.acknowledge(first)
        #expect(try await storage.nextPack(maxEvents: 10) == nil)
        #expect(try await storage.nextPack(maxEvents: 10) == nil)
        #expect(await storage.statistics().dropped == 2, "each unreadable line counted once")

        let waiting = Task { () -> ContinuousClock.Instant in
            await storage.waitForEvents()
            return .now
        }
        try await Task.sleep(for: .milliseconds(300))
        let appended = ContinuousClock.now
        try await storage.append(events(1..<2))
        #expect(await waiting.value >= appended, "waitForEvents returned with nothing to hand out")
        #expect(try await drain(storage).texts == texts(1..<2))
        await storage.close()
    }

    @Test func relativeFolderResolvesAgainstTheBaseDirectory() async throws {
        let base = try scratch("relative")
        let storage = try makeEventStorage(try fileConfiguration("./data/"), baseDirectory: base, logger: testLogger)
        try await storage.append(events(0..<1))
        await storage.close()
        let names = try FileManager.default.contentsOfDirectory(atPath: base + "/data")
        #expect(names.contains { $0.hasPrefix("data_") })
    }
}

/// The reference's worst defect: a backlog spanning many files must be delivered completely.
@Suite struct FileBacklogTests {
    private func storage(_ folder: String) throws -> any EventStorage {
        let json: JSONValue = ["type": "file", "data_folder_path": .string(folder), "max_records_per_file": 3,
                               "max_file_count": 100]
        return try makeEventStorage(try StorageConfiguration(json: json, file: "tb_gateway.json"),
                                    baseDirectory: "/", logger: testLogger)
    }

    @Test func aBacklogAcrossManyFilesIsDeliveredCompletelyAndInOrder() async throws {
        let folder = try scratch("backlog") + "/data"
        let first = try storage(folder)
        for start in stride(from: 0, to: 40, by: 4) { try await first.append(events(start..<(start + 4))) }
        let (firstHalf, packs) = try await drain(first, packSize: 7)
        #expect(firstHalf == texts(0..<40))
        try await first.acknowledge(packs[2])  // 21 records, ending inside a file
        await first.rewind()
        let pack = try #require(try await first.nextPack(maxEvents: 5))
        #expect(texts(pack) == texts(21..<26))
        // Restart without close: resumes after the acknowledged position.
        let second = try storage(folder)
        let (rest, restPacks) = try await drain(second, packSize: 4)
        #expect(rest == texts(21..<40))
        try await second.acknowledge(try #require(restPacks.last))
        #expect(await second.statistics().events == 0)
        let dataFiles = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("data_") }
        #expect(dataFiles.count == 1)
        await second.close()
    }

    @Test func aPackAcknowledgedAfterARewindMovesTheReadPositionCorrectly() async throws {
        let folder = try scratch("ack-after-rewind") + "/data"
        let storage = try storage(folder)
        try await storage.append(events(0..<9))
        _ = try #require(try await storage.nextPack(maxEvents: 2))
        let late = try #require(try await storage.nextPack(maxEvents: 2))  // ends at line 1 of file 2
        await storage.rewind()
        try await storage.acknowledge(late)
        #expect(try await drain(storage).texts == texts(4..<9))
        await storage.close()
    }
}

@Suite struct FileEdgeTests {
    @Test func anEmptyDataFileDoesNotLookLikePendingData() async throws {
        let folder = try scratch("empty-file") + "/data"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "".write(toFile: folder + "/data_1700000000000.txt", atomically: true, encoding: .utf8)
        let storage = try makeEventStorage(
            try StorageConfiguration(json: ["type": "file", "data_folder_path": .string(folder)], file: "t"),
            baseDirectory: "/", logger: testLogger)
        // Must suspend (not return at once) while there is nothing to hand out.
        let waiter = Task { await storage.waitForEvents(); return Task.isCancelled }
        try await Task.sleep(for: .milliseconds(100))
        waiter.cancel()
        #expect(await waiter.value == true)
        try await storage.append(events(0..<2))
        #expect(try await drain(storage).texts == texts(0..<2))
        await storage.close()
    }
}

@Suite struct FileReopenAtCapTests {
    @Test func reopeningAtTheFileCapAppendsToTheLastFileWithoutDropping() async throws {
        let folder = try scratch("reopen-cap") + "/data"
        let json: JSONValue = ["type": "file", "data_folder_path": .string(folder), "max_records_per_file": 2,
                               "max_file_count": 2]
        let configuration = try StorageConfiguration(json: json, file: "t")
        let first = try makeEventStorage(configuration, baseDirectory: "/", logger: testLogger)
        #expect(try await first.append(events(0..<3)).dropped == 0)
        await first.close()
        let second = try makeEventStorage(configuration, baseDirectory: "/", logger: testLogger)
        #expect(try await second.append(events(3..<4)).dropped == 0)
        #expect(try await drain(second).texts == texts(0..<4))
        #expect(await second.statistics().dropped == 0)
        await second.close()
    }
}
