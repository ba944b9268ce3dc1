import GatewayKit
@testable import Storage
import Testing

/// The in-memory tail of the sqlite storage: it hands out only runs it holds from their start,
/// and says nil whenever the file must be read instead.
@Suite struct SQLiteRecentRowsTests {
    func seqs(_ result: (events: [StoredEvent], lastID: Int64)?) -> [String] {
        (result?.events ?? []).map { String(decoding: $0.bytes, as: UTF8.self) }
    }

    func texts(_ range: Range<Int>) -> [String] { range.map { String(decoding: event($0).bytes, as: UTF8.self) } }

    @Test func handsOutHeldRowsInOrderWithTheLastID() {
        var recent = SQLiteRecentRows(maxRows: 100, maxBytes: 1 << 20)
        recent.inserted(events(0..<10), firstID: 1, database: 0)
        let pack = recent.rows(after: 0, limit: 4, database: 0)
        #expect(seqs(pack) == texts(0..<4))
        #expect(pack?.lastID == 4)
        #expect(seqs(recent.rows(after: 4, limit: 100, database: 0)) == texts(4..<10))
        #expect(recent.rows(after: 10, limit: 100, database: 0) == nil)  // nothing newer
        #expect(recent.rows(after: 3, limit: 100, database: 7) == nil)   // another database
    }

    @Test func rowsThatFellOutAreReadFromTheFile() {
        var recent = SQLiteRecentRows(maxRows: 5, maxBytes: 1 << 20)
        recent.inserted(events(0..<8), firstID: 1, database: 0)  // ids 4...8 held
        #expect(recent.rows(after: 0, limit: 10, database: 0) == nil)
        #expect(recent.rows(after: 2, limit: 10, database: 0) == nil)
        #expect(seqs(recent.rows(after: 3, limit: 10, database: 0)) == texts(3..<8))
    }

    @Test func theByteBoundKeepsAtLeastTheNewestRow() {
        var recent = SQLiteRecentRows(maxRows: 100, maxBytes: eventSize * 2)
        recent.inserted(events(0..<5), firstID: 1, database: 0)
        #expect(seqs(recent.rows(after: 3, limit: 10, database: 0)) == texts(3..<5))
        #expect(recent.rows(after: 2, limit: 10, database: 0) == nil)
    }

    @Test func aGapInIdsOrANewDatabaseStartsOver() {
        var recent = SQLiteRecentRows(maxRows: 100, maxBytes: 1 << 20)
        recent.inserted(events(0..<3), firstID: 1, database: 0)
        recent.inserted(events(3..<5), firstID: 10, database: 0)  // ids 4...9 not held
        #expect(recent.rows(after: 0, limit: 10, database: 0) == nil)
        #expect(seqs(recent.rows(after: 9, limit: 10, database: 0)) == texts(3..<5))
        recent.inserted(events(5..<6), firstID: 1, database: 5)
        #expect(recent.rows(after: 9, limit: 10, database: 0) == nil)
        #expect(seqs(recent.rows(after: 0, limit: 10, database: 5)) == texts(5..<6))
    }

    @Test func acknowledgedRowsAreForgotten() {
        var recent = SQLiteRecentRows(maxRows: 100, maxBytes: 1 << 20)
        recent.inserted(events(0..<6), firstID: 1, database: 0)
        recent.forget(through: 4, database: 0)
        #expect(recent.rows(after: 3, limit: 10, database: 0) == nil)
        #expect(seqs(recent.rows(after: 4, limit: 10, database: 0)) == texts(4..<6))
        recent.forget(through: 1, database: 9)  // a newer database was acknowledged
        #expect(recent.rows(after: 4, limit: 10, database: 0) == nil)
    }

    /// Through the storage: more rows than the tail holds, handed out across the boundary
    /// between file reads and memory, rewound and acknowledged, then after a reopen.
    @Test func theStorageHandsOutEveryRowOnceAcrossTheTailBoundary() async throws {
        let directory = try scratch("recent-rows")
        let storage = try makeStorage(.sqlite, directory: directory)
        for start in stride(from: 0, to: 30_000, by: 3_000) {
            try await storage.append(events(start..<(start + 3_000)))
        }
        let first = try #require(try await storage.nextPack(maxEvents: 1000))
        try await storage.acknowledge(first)
        _ = try await storage.nextPack(maxEvents: 1000)
        await storage.rewind()
        #expect(try await drain(storage).texts == texts(1000..<30_000))
        await storage.rewind()
        try await storage.append(events(30_000..<30_010))
        await storage.close()
        let reopened = try makeStorage(.sqlite, directory: directory)
        #expect(try await drain(reopened).texts == texts(1000..<30_010))
        await reopened.close()
    }
}
