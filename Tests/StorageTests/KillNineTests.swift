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

    private func selfExecutable() throws -> String {
        try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    }
}
