import Foundation
import GatewayKit
import Storage
import Testing

/// The `EventStorage` contract, checked identically for memory, file and sqlite.
@Suite(.timeLimit(.minutes(2))) struct ConformanceTests {
    @Test(arguments: StorageKind.allCases)
    func orderIsKeptAcrossAppendsPacksAndAcknowledges(kind: StorageKind) async throws {
        let storage = try makeStorage(kind, directory: try scratch("order"))
        try await storage.append(events(0..<12))
        try await storage.append(events(12..<25))
        let first = try #require(try await storage.nextPack(maxEvents: 10))
        #expect(texts(first) == texts(0..<10))
        try await storage.acknowledge(first)
        try await storage.append(events(25..<30))
        let rest = try await drain(storage)
        #expect(rest.texts == texts(10..<30))
        for pack in rest.packs { try await storage.acknowledge(pack) }
        #expect(try await storage.nextPack(maxEvents: 10) == nil)
        let stats = await storage.statistics()
        #expect(stats.events == 0)
        #expect(stats.appended == 30)
        #expect(stats.acknowledged == 30)
        #expect(stats.dropped == 0)
        await storage.close()
    }

    @Test(arguments: StorageKind.allCases)
    func rewindRedeliversExactlyTheUnacknowledged(kind: StorageKind) async throws {
        let storage = try makeStorage(kind, directory: try scratch("rewind"))
        try await storage.append(events(0..<30))
        let p1 = try #require(try await storage.nextPack(maxEvents: 10))
        let p2 = try #require(try await storage.nextPack(maxEvents: 10))
        #expect(texts(p2) == texts(10..<20))
        try await storage.acknowledge(p1)
        await storage.rewind()
        #expect(try await drain(storage).texts == texts(10..<30))
        #expect(await storage.statistics().events == 20)
        await storage.close()
    }

    @Test(arguments: StorageKind.allCases)
    func acknowledgingALaterPackImpliesTheEarlierOnes(kind: StorageKind) async throws {
        let storage = try makeStorage(kind, directory: try scratch("ack-later"))
        try await storage.append(events(0..<30))
        _ = try #require(try await storage.nextPack(maxEvents: 10))
        let p2 = try #require(try await storage.nextPack(maxEvents: 10))
        try await storage.acknowledge(p2)
        #expect(await storage.statistics().events == 10)
        await storage.rewind()
        #expect(try await drain(storage).texts == texts(20..<30))
        await storage.close()
    }

    @Test(arguments: StorageKind.allCases)
    func dropOldestKeepsTheNewestAndCountsDrops(kind: StorageKind) async throws {
        let storage = try makeStorage(kind, directory: try scratch("drop-oldest"), caps: Caps(capacity: 10))
        var dropped = 0
        for start in stride(from: 0, to: 15, by: 5) {
            let result = try await storage.append(events(start..<(start + 5)))
            #expect(result.refused.isEmpty, "dropOldest refused new events")
            dropped += result.dropped
        }
        #expect(dropped == 5)
        #expect(try await drain(storage).texts == texts(5..<15))
        #expect(await storage.statistics().dropped == 5)
        await storage.close()
    }

    @Test(arguments: StorageKind.allCases)
    func aBatchLargerThanTheCapReportsTheEventsItDoesNotKeep(kind: StorageKind) async throws {
        let storage = try makeStorage(kind, directory: try scratch("drop-oldest-big-batch"), caps: Caps(capacity: 10))
        try await storage.append(events(0..<3))
        let batch = 3..<18
        let result = try await storage.append(events(batch))
        let delivered = try await drain(storage).texts
        // Every event of the batch is either delivered or reported refused, never both, and
        // the newest are the ones kept (file storage drops whole files, so it may keep fewer).
        let kept = batch.indices.filter { !result.refused.contains($0 - batch.lowerBound) }
        #expect(delivered == kept.map { event($0).text })
        #expect(result.refused == Array(0..<result.refused.count), "the refused events are not the oldest of the batch")
        #expect(!result.refused.isEmpty && kept.count >= 5)
        if kind != .file { #expect(kept == Array(8..<18)) }
        #expect(await storage.statistics().dropped == 3 + result.refused.count)
        await storage.close()
    }

    @Test(arguments: StorageKind.allCases)
    func rejectNewestKeepsTheOldestAndCountsDrops(kind: StorageKind) async throws {
        let storage = try makeStorage(
            kind, directory: try scratch("reject-newest"), caps: Caps(capacity: 10, overflow: "rejectNewest"))
        let result = try await storage.append(events(0..<15))
        #expect(result.dropped == 5)
        #expect(result.refused == Array(10..<15), "the refused events are not the ones reported")
        #expect(try await drain(storage).texts == texts(0..<10))
        #expect(await storage.statistics().dropped == 5)
        await storage.close()
    }

    @Test(arguments: StorageKind.allCases)
    func droppingHandedOutEventsKeepsDeliveryConsistent(kind: StorageKind) async throws {
        let storage = try makeStorage(kind, directory: try scratch("drop-outstanding"), caps: Caps(capacity: 10))
        try await storage.append(events(0..<10))
        let outstanding = try #require(try await storage.nextPack(maxEvents: 5))
        try await storage.append(events(10..<15))  // evicts 0..<5, which are handed out
        try await storage.acknowledge(outstanding)  // must not remove anything newer
        #expect(try await drain(storage).texts == texts(5..<15))
        await storage.close()
    }

    @Test(arguments: StorageKind.allCases)
    func eventsOlderThanTheTTLExpire(kind: StorageKind) async throws {
        let storage = try makeStorage(kind, directory: try scratch("ttl"), caps: Caps(ttlSeconds: 1))
        try await storage.append(events(0..<3))
        try await Task.sleep(for: .milliseconds(1100))
        try await storage.append(events(3..<4))
        #expect(try await drain(storage).texts == texts(3..<4))
        #expect(await storage.statistics().dropped == 3)
        await storage.close()
    }

    @Test(arguments: StorageKind.allCases)
    func waitForEventsWakesOnAppend(kind: StorageKind) async throws {
        let storage = try makeStorage(kind, directory: try scratch("wait"))
        let waiter = Task { await storage.waitForEvents() }
        try await Task.sleep(for: .milliseconds(50))
        try await storage.append(events(0..<1))
        try await withTimeout(seconds: 2) { await waiter.value }
        // With data present it returns at once.
        try await withTimeout(seconds: 2) { await storage.waitForEvents() }
        await storage.close()
    }

    @Test(arguments: StorageKind.allCases)
    func waitForEventsReturnsWhenCancelled(kind: StorageKind) async throws {
        let storage = try makeStorage(kind, directory: try scratch("cancel"))
        let waiter = Task { await storage.waitForEvents() }
        try await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        try await withTimeout(seconds: 2) { await waiter.value }
        #expect(try await storage.nextPack(maxEvents: 10) == nil)
        await storage.close()
    }

    @Test(arguments: StorageKind.persistent)
    func unacknowledgedEventsSurviveCloseAndReopen(kind: StorageKind) async throws {
        let directory = try scratch("reopen")
        do {
            let storage = try makeStorage(kind, directory: directory)
            try await storage.append(events(0..<20))
            let acked = try #require(try await storage.nextPack(maxEvents: 5))
            try await storage.acknowledge(acked)
            _ = try await storage.nextPack(maxEvents: 5)  // handed out, never acknowledged
            await storage.close()
        }
        let reopened = try makeStorage(kind, directory: directory)
        #expect(await reopened.statistics().events == 15)
        #expect(try await drain(reopened).texts == texts(5..<20))
        await reopened.close()
    }

    @Test(arguments: StorageKind.persistent)
    func appendedEventsSurviveACrashWithoutClose(kind: StorageKind) async throws {
        let directory = try scratch("crash")
        do {
            // No close(): what a crash leaves behind once append/acknowledge have returned.
            let storage = try makeStorage(kind, directory: directory)
            try await storage.append(events(0..<8))
            let acked = try #require(try await storage.nextPack(maxEvents: 3))
            try await storage.acknowledge(acked)
            try await storage.append(events(8..<12))
        }
        let reopened = try makeStorage(kind, directory: directory)
        #expect(try await drain(reopened).texts == texts(3..<12))
        await reopened.close()
    }

    @Test(arguments: StorageKind.allCases)
    func closedStorageRefusesAppends(kind: StorageKind) async throws {
        let storage = try makeStorage(kind, directory: try scratch("closed"))
        await storage.close()
        await #expect(throws: StorageError.closed) { try await storage.append(events(0..<1)) }
    }
}

struct TimedOut: Error {}

/// Runs `body`, failing if it does not finish within `seconds` (a hang is a test failure, not a stuck run).
func withTimeout(seconds: Double, _ body: @escaping @Sendable () async -> Void) async throws {
    try await withThrowingTaskGroup(of: Bool.self) { group in
        group.addTask { await body(); return true }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return false
        }
        let finished = try await group.next() ?? false
        group.cancelAll()
        if !finished { throw TimedOut() }
    }
}

@Suite struct WaitAfterCloseTests {
    @Test(arguments: StorageKind.allCases)
    func waitForEventsReturnsAtOnceAfterClose(kind: StorageKind) async throws {
        let storage = try makeStorage(kind, directory: try scratch("wait-closed"))
        await storage.close()
        try await withTimeout(seconds: 2) { await storage.waitForEvents() }
    }
}
