import Foundation
import GatewayKit
import Synchronization

/// The reference's remote shell (gateway RPCs `getTermInfo`, `sendCommand`, `getCommandStatus`,
/// `terminateCommand`), offered only when `thingsboard.remoteShell` is true — it is off by
/// default because anyone who may send RPCs to the gateway device then runs commands as the
/// gateway's user. One command runs at a time; its output is collected (bounded) until fetched.
final class RemoteShell: Sendable {
    private struct State {
        var process: Process?
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var cwd = FileManager.default.currentDirectoryPath
        /// Output pipes not yet at end of file: a command is done when it has exited and its last
        /// output has been read (the exit is often seen before the pipes are drained).
        var openOutputs = 0
        /// When the command exited; a background child that keeps a pipe open must not keep the
        /// command "running" forever.
        var exitedAt: ContinuousClock.Instant?
    }

    /// How long after the exit output still open pipes are waited for.
    static let drainGrace = Duration.seconds(1)

    /// How long `terminateCommand` waits after SIGTERM before it kills the command.
    static let terminateGrace = Duration.seconds(1)

    /// Output kept between two status requests; beyond it the oldest bytes go.
    static let outputLimit = 1 << 20
    private let state = Mutex(State())

    func answer(_ method: String, params: JSONValue) -> JSONValue? {
        switch method {
        case "getTermInfo":
            var system = utsname()
            uname(&system)
            let field = { (value: Any) -> String in
                withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            }
            return ["platform": .string(field(system.sysname)), "release": .string(field(system.release)),
                    "cwd": .string(state.withLock { $0.cwd })]
        case "sendCommand":
            guard let command = params["command"]?.stringValue, !command.isEmpty else {
                return ["ok": false, "error": "expected params {\"command\": \"...\", \"cwd\": \"...\"}"]
            }
            return start(command, cwd: params["cwd"]?.stringValue)
        case "getCommandStatus":
            return state.withLock { state in
                let exited = !(state.process?.isRunning ?? false)
                let drained = state.openOutputs == 0
                    || state.exitedAt.map { ContinuousClock.now - $0 > Self.drainGrace } ?? false
                let done = exited && drained
                defer {
                    state.stdout = []
                    state.stderr = []
                }
                return ["data": [["stdout": .string(String(decoding: state.stdout, as: UTF8.self)),
                                  "stderr": .string(String(decoding: state.stderr, as: UTF8.self))]],
                        "cwd": .string(state.cwd), "done": .bool(done)]
            }
        case "terminateCommand":
            if let process = state.withLock({ $0.process }), process.isRunning {
                // The shell and what it started; SIGKILL after a grace (see ChildProcessGroup).
                let pid = process.processIdentifier
                ChildProcessGroup.signal(SIGTERM, toGroupOf: pid)
                Task {
                    try? await Task.sleep(for: Self.terminateGrace)
                    if process.isRunning { ChildProcessGroup.signal(SIGKILL, toGroupOf: pid) }
                }
            }
            return ["ok": true]
        default:
            return nil
        }
    }

    private func start(_ command: String, cwd: String?) -> JSONValue {
        if state.withLock({ $0.process?.isRunning ?? false }) {
            return ["ok": false, "error": "a command is still running; terminate it first"]
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let directory = cwd ?? state.withLock { $0.cwd }
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        out.fileHandleForReading.readabilityHandler = { [weak self] handle in self?.collect(from: handle, error: false) }
        err.fileHandleForReading.readabilityHandler = { [weak self] handle in self?.collect(from: handle, error: true) }
        process.terminationHandler = { [weak self] _ in self?.state.withLock { $0.exitedAt = .now } }
        // Cleared before the start: the first output may arrive before `run` returns.
        state.withLock {
            $0.cwd = directory
            $0.stdout = []
            $0.stderr = []
            $0.openOutputs = 2
            $0.exitedAt = nil
        }
        do {
            try process.run()
        } catch {
            out.fileHandleForReading.readabilityHandler = nil
            err.fileHandleForReading.readabilityHandler = nil
            state.withLock { $0.openOutputs = 0 }
            return ["ok": false, "error": .string("\(error)")]
        }
        state.withLock { $0.process = process }
        return ["ok": true]
    }

    private func collect(from handle: FileHandle, error: Bool) {
        let data = handle.availableData
        guard !data.isEmpty else {
            // End of file: everything the command wrote to this pipe has been collected.
            handle.readabilityHandler = nil
            state.withLock { $0.openOutputs = max(0, $0.openOutputs - 1) }
            return
        }
        state.withLock { state in
            if error { Self.append(data, to: &state.stderr) } else { Self.append(data, to: &state.stdout) }
        }
    }

    private static func append(_ data: Data, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: data)
        if buffer.count > outputLimit { buffer.removeFirst(buffer.count - outputLimit) }
    }
}
