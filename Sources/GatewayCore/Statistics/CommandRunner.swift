import Foundation

/// Runs a short command and returns its trimmed standard output, or nil when it fails, exits
/// non-zero or outlives `timeout` (it is then killed).
enum CommandRunner {
    static func output(of arguments: [String], timeout: Duration) async -> String? {
        guard let executable = arguments.first else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(arguments.dropFirst())
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let finished = AsyncStream.makeStream(of: Void.self)
        process.terminationHandler = { _ in finished.continuation.finish() }
        do {
            try process.run()
        } catch {
            return nil
        }
        // Read while it runs, so a chatty command never blocks on a full pipe.
        async let data = Task.detached { pipe.fileHandleForReading.readDataToEndOfFile() }.value
        let timedOut = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in finished.stream {}
                return false
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return !Task.isCancelled
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if timedOut {
            // SIGKILL to the whole group: `terminate()` would leave it running, and `data` waiting
            // for whatever it started (see ChildProcessGroup).
            ChildProcessGroup.signal(SIGKILL, toGroupOf: process.processIdentifier)
            finished.continuation.finish()
        }
        let output = await data
        guard !timedOut, process.terminationStatus == 0 else { return nil }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
