import Foundation
import GatewayKit
import Storage
import Testing

/// `max_bytes` and `ttl_seconds` for the file storage: whole data files are dropped, every
/// unacknowledged record in them counted.
@Suite struct FileCapsTests {
    /// Bytes of one test record on disk: base64 of the event and a newline.
    private let recordSize = (eventSize + 2) / 3 * 4 + 1

    private func storage(_ folder: String, _ extra: JSONObject) throws -> any EventStorage {
        var object: JSONObject = ["type": "file", "data_folder_path": .string(folder), "max_records_per_file": 5,
                                  "max_file_count": 100]
        for (key, value) in extra { object[key] = value }
        return try makeEventStorage(try StorageConfiguration(json: .object(object), file: "tb_gateway.json"),
                                    baseDirectory: "/", logger: testLogger)
    }

    private func dataFileBytes(_ folder: String) throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("data_") }.reduce(0) {
            $0 + ((try FileManager.default.attributesOfItem(atPath: folder + "/" + $1)[.size] as? Int) ?? 0)
        }
    }

    /// A batch that outgrows every file the caps allow, so the folder empties and a new file can
    /// get the name of one just deleted: each event of the batch is reported once, either kept or
    /// refused.
    @Test(arguments: [["max_file_count": 1] as JSONObject, ["max_bytes": .int(10 * 49), "max_records_per_file": 100]])
    func aBatchOutgrowingEveryFileReportsEachRefusedEventOnce(caps: JSONObject) async throws {
        let files = try storage(try scratch("file-big-batch") + "/data", caps)
        let result = try await files.append(events(0..<25))
        let kept = try await drain(files).texts
        #expect(result.refused == Array(Set(result.refused)).sorted(), "refused positions repeat or are unsorted: \(result.refused)")
        #expect(kept == texts(result.refused.count..<25), "the batch's events not refused are the ones kept")
        #expect(result.dropped == result.refused.count)
        await files.close()
    }

    @Test func maxBytesDropOldestDeletesTheOldestFilesAndCountsTheirRecords() async throws {
        let folder = try scratch("file-max-bytes-drop") + "/data"
        let cap = 12 * recordSize
        let files = try storage(folder, ["max_bytes": .int(Int64(cap))])
        let dropped = try await append(files, 0..<30, batch: 3)
        #expect(try dataFileBytes(folder) <= cap)
        let kept = try await drain(files).texts
        #expect(dropped > 0)
        #expect(kept.count + dropped == 30)
        #expect(kept.count > 12 - 5, "at most one file's worth below the cap")
        #expect(kept == texts((30 - kept.count)..<30), "the newest are kept, in order")
        #expect(await files.statistics().dropped == Int64(dropped))
        await files.close()
    }

    @Test func maxBytesRejectNewestRefusesUntilAcknowledgedRecordsMakeRoom() async throws {
        let folder = try scratch("file-max-bytes-reject") + "/data"
        let files = try storage(folder, ["max_bytes": .int(Int64(12 * recordSize)), "overflow": "rejectNewest"])
        #expect(try await append(files, 0..<30, batch: 3) == 18)
        let (kept, packs) = try await drain(files)
        #expect(kept == texts(0..<12))
        #expect(await files.statistics().dropped == 18)
        for pack in packs { try await files.acknowledge(pack) }
        // Acknowledged records still in the write file do not count against the cap.
        #expect(try await files.append(events(30..<42)).dropped == 0)
        #expect(try await drain(files).texts == texts(30..<42))
        await files.close()
    }

    @Test func aRecordLargerThanMaxBytesIsRefusedAlone() async throws {
        let folder = try scratch("file-max-bytes-huge") + "/data"
        let files = try storage(folder, ["max_bytes": .int(Int64(3 * recordSize))])
        let huge = StoredEvent(bytes: Array(String(repeating: "x", count: 4 * recordSize).utf8))
        #expect(try await files.append([event(0), huge, event(1)]) == AppendResult(dropped: 1, refused: [1]))
        #expect(try await drain(files).texts == texts(0..<2))
        await files.close()
    }

    @Test func filesWhoseNewestRecordOutlivedTheTTLExpireAfterARestart() async throws {
        let folder = try scratch("file-ttl-restart") + "/data"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let line = { (index: Int) in Data(event(index).bytes).base64EncodedString() + "\n" }
        let old = folder + "/data_1700000000000.txt"
        let recent = folder + "/data_1700000000100.txt"
        try (0..<3).map(line).joined().write(toFile: old, atomically: true, encoding: .utf8)
        try (3..<5).map(line).joined().write(toFile: recent, atomically: true, encoding: .utf8)
        // The newest record of the first file was written two hours ago (its mtime); the TTL is one hour.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: old)

        let files = try storage(folder, ["ttl_seconds": 3600])
        #expect(try await drain(files).texts == texts(3..<5))
        #expect(await files.statistics().dropped == 3)
        #expect(!FileManager.default.fileExists(atPath: old))
        #expect(FileManager.default.fileExists(atPath: recent))
        await files.close()
    }
}
