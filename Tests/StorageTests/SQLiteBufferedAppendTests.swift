import Foundation
import GatewayKit
import Storage
import Testing

/// `appendBuffered` on the sqlite storage: events are handed out at once, written within
/// `bufferedWriteDelay` (what a `kill -9` would leave), never written when acknowledged first,
/// and keep their order with durable appends across rotation, caps and a reopen.
@Suite struct SQLiteBufferedAppendTests {
    private func rows(_ directory: String) throws -> [String] {
        try sqlite3(directory + "/data/data.db", "SELECT message FROM messages ORDER BY id;")
            .split(separator: "\n").map(String.init)
    }

    @Test func bufferedAndDurableAppendsAreHandedOutInOrder() async throws {
        let directory = try scratch("buffered-order")
        let storage = try makeStorage(.sqlite, directory: directory)
        try await storage.appendBuffered(events(0..<5))
        try await storage.append(events(5..<8))
        try await storage.appendBuffered(events(8..<10))
        #expect(try await drain(storage, packSize: 4).texts == texts(0..<10))
        await storage.rewind()
        #expect(try await drain(storage, packSize: 100).texts == texts(0..<10))
        await storage.close()
    }

    @Test func bufferedEventsReachTheFileWithinTheDelay() async throws {
        let directory = try scratch("buffered-delay")
        let storage = try makeStorage(.sqlite, directory: directory)
        try await storage.appendBuffered(events(0..<5))
        let pack = try await storage.nextPack(maxEvents: 100)
        #expect(texts(pack) == texts(0..<5))  // handed out before they are written
        // Still open, not acknowledged: what another process (or a restart after kill -9) sees.
        let deadline = ContinuousClock.now + .seconds(5)
        var stored: [String] = []
        while ContinuousClock.now < deadline {
            stored = try rows(directory)
            if stored.count == 5 { break }
            try await Task.sleep(for: SQLiteEventStorage.defaultBufferedWriteDelay)
        }
        #expect(stored == texts(0..<5))
        await storage.close()
    }

    /// A steady stream that the uplink keeps up with never touches the file, however long it
    /// runs: only events staged for the whole delay are written, not the few in flight when the
    /// delay of an earlier one runs out. An event left unacknowledged meanwhile still is.
    @Test func aSteadyStreamAcknowledgedInTimeIsNeverWritten() async throws {
        let directory = try scratch("buffered-stream")
        guard case .sqlite(let sqlite) = try configuration(.sqlite, directory: directory) else {
            Issue.record("not a sqlite configuration")
            return
        }
        // A generous delay, so a slow test machine cannot make an event overstay it by accident.
        let delay = Duration.milliseconds(200)
        let storage = try SQLiteEventStorage(configuration: sqlite, path: directory + "/data/data.db",
                                             logger: testLogger, bufferedWriteDelay: delay)
        // Like the uplink at a steady rate: the newest event is always in flight, its predecessor
        // is acknowledged once it has arrived.
        let started = ContinuousClock.now
        var next = 0
        var inFlight: EventPack?
        while ContinuousClock.now - started < delay * 4 {
            try await storage.appendBuffered(events(next..<(next + 1)))
            let pack = try #require(try await storage.nextPack(maxEvents: 10))
            #expect(texts(pack) == texts(next..<(next + 1)))
            if let inFlight { try await storage.acknowledge(inFlight) }
            inFlight = pack
            next += 1
            try await Task.sleep(for: .milliseconds(10))
        }
        try await storage.acknowledge(try #require(inFlight))
        // AUTOINCREMENT's counter moves with every row ever inserted, deleted since or not.
        let sequence = { try sqlite3(directory + "/data/data.db", "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence;") }
        #expect(try sequence().trimmingCharacters(in: .whitespacesAndNewlines) == "0")

        try await storage.appendBuffered(events(next..<(next + 1)))  // handed out, never acknowledged
        _ = try #require(try await storage.nextPack(maxEvents: 10))
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, try rows(directory).isEmpty {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try rows(directory) == texts(next..<(next + 1)))
        await storage.close()
    }

    @Test func acknowledgedBufferedEventsAreGoneAndTheRestSurvivesAReopen() async throws {
        let directory = try scratch("buffered-ack")
        let storage = try makeStorage(.sqlite, directory: directory)
        try await storage.append(events(0..<3))          // written
        try await storage.appendBuffered(events(3..<6))  // buffered (or written, if the test is slow)
        let pack = try #require(try await storage.nextPack(maxEvents: 4))
        #expect(texts(pack) == texts(0..<4))
        try await storage.acknowledge(pack)
        try await storage.appendBuffered(events(6..<8))
        #expect(await storage.statistics().events == 4)
        await storage.close()
        #expect(try rows(directory) == texts(4..<8))
        let reopened = try makeStorage(.sqlite, directory: directory)
        #expect(try await drain(reopened).texts == texts(4..<8))
        await reopened.close()
    }

    @Test func aFullBufferIsWrittenAtOnceAndOrderHoldsAcrossRotation() async throws {
        let directory = try scratch("buffered-rotation")
        let storage = try rotatingSQLite(directory)
        let total = SQLiteEventStorage.maxBufferedEvents * 3
        for start in stride(from: 0, to: total, by: 50) {
            if start % 100 == 0 {
                try await storage.appendBuffered(events(start..<(start + 50)))
            } else {
                try await storage.append(events(start..<(start + 50)))
            }
        }
        #expect(try databaseNames(directory).count > 1)
        let (all, packs) = try await drain(storage, packSize: 97)
        #expect(all == texts(0..<total))
        try await storage.acknowledge(try #require(packs.last))
        #expect(await storage.statistics().events == 0)
        await storage.close()
        let reopened = try rotatingSQLite(directory)
        #expect(try await drain(reopened).texts.isEmpty)
        await reopened.close()
    }

    @Test func theByteCapDropsTheOldestBufferedEvents() async throws {
        let directory = try scratch("buffered-cap")
        let storage = try makeStorage(.sqlite, directory: directory, caps: Caps(capacity: 20))
        var dropped = 0
        for start in stride(from: 0, to: 30, by: 5) {
            dropped += try await storage.appendBuffered(events(start..<(start + 5))).dropped
        }
        #expect(dropped == 10)
        #expect(try await drain(storage).texts == texts(10..<30))
        await storage.close()
        let reopened = try makeStorage(.sqlite, directory: directory, caps: Caps(capacity: 20))
        #expect(try await drain(reopened).texts == texts(10..<30))
        await reopened.close()
    }
}
