import Foundation
import GatewayKit
import Storage
import TestSupport
import Testing

/// A real `kill -9`: this test binary re-runs itself as a child that writes and acknowledges,
/// then is killed with SIGKILL; the parent reopens the storage and checks what survived.
@Suite(.timeLimit(.minutes(2))) struct KillNineTests {
    static let directoryVariable = "STORAGE_KILL9_DIR"
    static let kindVariable = "STORAGE_KILL9_KIND"

    /// The child's role; does nothing in a normal test run (the variables are unset).
    @Test func crashChildWriter() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let directory = environment[Self.directoryVariable],
              let kind = environment[Self.kindVariable].flatMap(StorageKind.init(rawValue:)) else { return }
        let storage = try makeStorage(kind, directory: directory)
        try await storage.append(events(0..<100))
        let pack = try #require(try await storage.nextPack(maxEvents: 10))
        try await storage.acknowledge(pack)
        _ = try await storage.nextPack(maxEvents: 10)  // handed out, never acknowledged
        try await storage.append(events(100..<200))
        _ = FileManager.default.createFile(atPath: directory + "/ready", contents: nil)
        try await Task.sleep(for: .seconds(60))  // the parent kills us long before
    }

    @Test(arguments: StorageKind.persistent)
    func unacknowledgedEventsSurviveSIGKILL(kind: StorageKind) async throws {
        let directory = try scratch("kill9")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: try selfExecutable())
        child.arguments = ["--testing-library", "swift-testing", "--filter", "KillNineTests/crashChildWriter"]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.directoryVariable] = directory
        environment[Self.kindVariable] = kind.rawValue
        child.environment = environment
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        let ready = await waitUntil(timeout: 30) { FileManager.default.fileExists(atPath: directory + "/ready") }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        try #require(ready, "the child never got ready")
        #expect(child.terminationReason == .uncaughtSignal)

        let reopened = try makeStorage(kind, directory: directory)
        #expect(try await drain(reopened).texts == texts(10..<200))
        await reopened.close()
    }

    /// The child's role for the rotation test: appends in small batches into databases that rotate
    /// every few hundred events, reads and acknowledges as it goes, and after each call returns
    /// records in `progress` how far appends and acknowledgements got. Runs until killed.
    @Test func rotatingCrashChild() async throws {
        guard let directory = ProcessInfo.processInfo.environment[Self.rotatingVariable] else { return }
        let storage = try rotatingSQLite(directory + "/data", sizeLimit: 0.02)
        var appended = 0
        var acknowledged = 0
        while appended < 90_000 {
            try await storage.append(events(appended..<(appended + 7)))
            appended += 7
            if appended % 21 == 0, let pack = try await storage.nextPack(maxEvents: 10) {
                try await storage.acknowledge(pack)
                acknowledged += pack.events.count
            }
            try "\(appended) \(acknowledged)".write(toFile: directory + "/progress.tmp", atomically: false, encoding: .utf8)
            rename(directory + "/progress.tmp", directory + "/progress")
        }
    }

    static let rotatingVariable = "STORAGE_KILL9_ROTATING_DIR"

    /// SIGKILL at an arbitrary moment (possibly mid-rotation or mid-deletion of a drained database):
    /// every event an `append` returned for is still there, in order, and nothing acknowledged returns.
    @Test func rotatingSQLiteLosesNothingAtAnyMomentOfSIGKILL() async throws {
        let directory = try scratch("kill9-rotating")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: try selfExecutable())
        child.arguments = ["--testing-library", "swift-testing", "--filter", "KillNineTests/rotatingCrashChild"]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.rotatingVariable] = directory
        child.environment = environment
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        let target = Int.random(in: 600...1500)
        func progress() -> (appended: Int, acknowledged: Int)? {
            guard let text = try? String(contentsOfFile: directory + "/progress", encoding: .utf8) else { return nil }
            let parts = text.split(separator: " ").compactMap { Int($0) }
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }
        let reached = await waitUntil(timeout: 60, interval: 0.005) { (progress()?.appended ?? 0) >= target }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        try #require(reached, "the child never reached \(target) events")
        let reported = try #require(progress())

        let reopened = try rotatingSQLite(directory + "/data", sizeLimit: 0.02)
        let delivered = try await drain(reopened).texts
        let first = try #require(delivered.first.flatMap(sequenceNumber))
        // Starts where acknowledgements got (one more pack may have been acknowledged, not yet reported)...
        #expect(first >= reported.acknowledged && first <= reported.acknowledged + 10, "first \(first), reported \(reported)")
        // ...and holds everything appended since, in order, without gaps.
        #expect(delivered == texts(first..<(first + delivered.count)))
        #expect(first + delivered.count >= reported.appended, "\(delivered.count) from \(first), reported \(reported)")
        #expect(try databaseNames(directory + "/data").count >= 2, "the child should have rotated")
        await reopened.close()
    }

    private func sequenceNumber(_ text: String) -> Int? {
        guard let range = text.range(of: #""seq":"#) else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    private func selfExecutable() throws -> String {
        try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    }
}
