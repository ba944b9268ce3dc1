import Foundation
import Synchronization

/// A real peer (mosquitto, a Python server, our own gateway binary) run as a child process for
/// a test. Output goes to a log file in the test's scratch directory so a failing test can show it.
public final class PeerProcess: @unchecked Sendable {
    // @unchecked: `process` is only mutated in init; Foundation's Process is thread-safe for
    // terminate/isRunning/waitUntilExit, which is all that is called afterwards.
    public let process: Process
    public let logFile: URL

    public init(executable: String, arguments: [String], environment: [String: String]? = nil,
                currentDirectory: URL? = nil, logFile: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try PeerProcess.resolve(executable))
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try Self.runWithEmptySignalMask(process)
        self.process = process
        self.logFile = logFile
    }

    /// Starts `process` from a fresh thread that blocks no signal. A child inherits the signal
    /// mask of the thread that spawns it, and the threads tests run on (Swift concurrency's pool,
    /// NIO's event loops) block nearly every signal: a peer started from one of them sat out
    /// SIGTERM, so every `stop` waited its whole grace period and then killed the peer.
    private static func runWithEmptySignalMask(_ process: Process) throws {
        let outcome = Mutex<Result<Void, any Error>?>(nil)
        let spawned = DispatchSemaphore(value: 0)
        let spawner = Thread {
            var nothing = sigset_t()
            sigemptyset(&nothing)
            pthread_sigmask(SIG_SETMASK, &nothing, nil)
            let result = Result { try process.run() }
            outcome.withLock { $0 = result }
            spawned.signal()
        }
        spawner.start()
        spawned.wait()
        try outcome.withLock { $0 }?.get()
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// SIGTERM, then SIGKILL if it has not exited after `grace` seconds.
    public func stop(grace: Double = 5) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// SIGKILL now: the crash a durable component must survive.
    public func killHard() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    public func output() -> String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    deinit { stop(grace: 1) }

    public static func resolve(_ executable: String) throws -> String {
        if executable.contains("/") { return executable }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        // Standard directories too: the test runner does not always pass the shell PATH on.
        for directory in path.split(separator: ":").map(String.init) + ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"] {
            let candidate = "\(directory)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw PeerUnavailable(what: executable,
                              hint: "install it (bash .ci/run installs every test peer) or put it on PATH")
    }
}

/// A peer the test needs is missing. Tests fail with this (never skip): CI installs every peer.
public struct PeerUnavailable: Error, CustomStringConvertible {
    public var what: String
    public var hint: String
    public init(what: String, hint: String) {
        self.what = what
        self.hint = hint
    }
    public var description: String { "test peer '\(what)' is not available: \(hint)" }
}

/// Polls a condition with a short sleep until it holds or the timeout passes (test helper only).
public func waitUntil(timeout: Double, interval: Double = 0.02, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(useconds_t(interval * 1_000_000))
    }
    return condition()
}

/// The same for async tests: sleeps with `Task.sleep`, so waiting never blocks one of the few
/// cooperative threads (this machine has two) that in-process clients under test need.
public func waitUntil(timeout: Double, interval: Double = 0.02, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .seconds(interval))
    }
    return condition()
}

/// Like `waitUntil`, for a condition that has to await (an actor's state).
public func waitUntil(timeout: Double, interval: Double = 0.02, checking condition: () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .seconds(interval))
    }
    return await condition()
}

/// A fresh scratch directory for one test, under this test process's scratch root.
public func makeScratchDirectory(_ label: String) throws -> URL {
    let url = ScratchRoot.shared.url
        .appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// `<temp>/iotgw-tests-<pid>`, holding every scratch directory of one test process, removed when
/// the process exits; roots of test processes that died without that (a crash, a kill) are removed
/// by the next one. Scratch directories used to stay behind: a few hundred per full run, gigabytes
/// of /tmp on a machine that runs the suite all day. `IOTGW_KEEP_SCRATCH=1` keeps them, to read a
/// peer's log after a failure (a failing test prints it too).
///
/// A root belongs to whoever holds the `flock` of its `<root>.lock` file (held until the process
/// ends, released by the kernel even after a crash), so a root of a live process is never taken
/// for a dead one's — not even when test processes in other PID namespaces share /tmp, where a
/// pid says nothing.
private final class ScratchRoot: Sendable {
    static let shared = ScratchRoot()
    static let prefix = "iotgw-tests-"
    let url: URL

    private init() {
        let temporary = FileManager.default.temporaryDirectory
        url = temporary.appendingPathComponent("\(Self.prefix)\(getpid())", isDirectory: true)
        guard ProcessInfo.processInfo.environment["IOTGW_KEEP_SCRATCH"] != "1" else { return }
        // Held (never closed) for the life of the process.
        let lock = open(url.path + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        if lock >= 0 { _ = flock(lock, LOCK_EX | LOCK_NB) }
        Self.removeRootsOfEndedProcesses(in: temporary)
        atexit {
            try? FileManager.default.removeItem(at: ScratchRoot.shared.url)
            try? FileManager.default.removeItem(atPath: ScratchRoot.shared.url.path + ".lock")
        }
    }

    private static func removeRootsOfEndedProcesses(in temporary: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        let ownRoot = "\(prefix)\(getpid())"
        // Roots, and lock files whose root was never made (a process that ended before its first
        // scratch directory, without its exit handler).
        let roots = Set(names.filter { $0.hasPrefix(prefix) }.map { $0.hasSuffix(".lock") ? String($0.dropLast(5)) : $0 })
        for name in roots where name != ownRoot {
            let root = temporary.appendingPathComponent(name)
            if ownerEnded(lockPath: root.path + ".lock") {
                try? FileManager.default.removeItem(at: root)
                try? FileManager.default.removeItem(atPath: root.path + ".lock")
            }
        }
    }

    /// True when nobody holds the root's lock. A lock file just created may not be locked yet, so
    /// one younger than a minute counts as held; a root without one (made by an older version of
    /// this code) is judged by its pid, as that version did.
    private static func ownerEnded(lockPath: String) -> Bool {
        let lock = open(lockPath, O_RDWR | O_CLOEXEC)
        guard lock >= 0 else {
            let pid = Int32(lockPath.dropLast(".lock".count).split(separator: "-").last ?? "") ?? 0
            return pid > 0 && kill(pid, 0) != 0 && errno == ESRCH
        }
        defer { close(lock) }
        var status = stat()
        guard fstat(lock, &status) == 0, time(nil) - status.st_mtim.tv_sec > 60 else { return false }
        return flock(lock, LOCK_EX | LOCK_NB) == 0
    }
}
