import Foundation
import Synchronization

/// One log file of logs.json, shared by every logger whose handler names it: lines are appended
/// under a lock (records are rare next to the data path, and a line must never be interleaved with
/// another), and the file is rotated as its handler's class would.
///
/// A file that cannot be opened or written (no such folder and none can be made, no permission,
/// disk full) is reported once on standard error and retried at most once a minute; logging never
/// stops the gateway.
final class LogFile: Sendable {
    let settings: LogFileSettings

    private struct State {
        var descriptor: Int32 = -1
        var size = 0
        var rolloverAt: Double?
        var nextOpenAttempt: Double = 0
        var reportedFailure = false
    }

    private let state = Mutex(State())

    init(settings: LogFileSettings) {
        self.settings = settings
    }

    deinit {
        state.withLock { if $0.descriptor >= 0 { close($0.descriptor) } }
    }

    /// Appends one line (the newline is added here).
    func append(_ line: String, now: Double = Date().timeIntervalSince1970) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        state.withLock { state in
            if state.descriptor < 0 {
                guard now >= state.nextOpenAttempt else { return }
                open(&state, now: now)
                guard state.descriptor >= 0 else { return }
            }
            if needsRollover(state, adding: bytes.count, now: now) {
                rollOver(&state, now: now)
                guard state.descriptor >= 0 else { return }
            }
            let written = bytes.withUnsafeBytes { Foundation.write(state.descriptor, $0.baseAddress, $0.count) }
            if written > 0 {
                state.size += written
            } else {
                report(&state, "cannot write: \(String(cString: strerror(errno)))")
            }
        }
    }

    private func needsRollover(_ state: State, adding count: Int, now: Double) -> Bool {
        switch settings.rotation {
        case .none:
            return false
        case .size(let maxBytes, let backupCount):
            return maxBytes > 0 && backupCount > 0 && state.size > 0 && state.size + count >= maxBytes
        case .time(_, _, let maxBytes):
            if let rolloverAt = state.rolloverAt, now >= rolloverAt { return true }
            return maxBytes > 0 && state.size > 0 && state.size + count >= maxBytes
        }
    }

    private func open(_ state: inout State, now: Double) {
        let folder = (settings.path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let descriptor = Foundation.open(settings.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            state.nextOpenAttempt = now + 60
            report(&state, "cannot open: \(String(cString: strerror(errno)))")
            return
        }
        var status = stat()
        fstat(descriptor, &status)
        state.descriptor = descriptor
        state.size = Int(status.st_size)
        state.reportedFailure = false
        if case .time(let schedule, _, _) = settings.rotation, state.rolloverAt == nil {
            // As Python: the period of an existing file runs from its last change.
            let modified = status.st_size > 0 ? Double(status.st_mtim.tv_sec) : now
            state.rolloverAt = schedule.firstRollover(after: modified)
        }
    }

    private func rollOver(_ state: inout State, now: Double) {
        close(state.descriptor)
        state.descriptor = -1
        let path = settings.path
        switch settings.rotation {
        case .none:
            break
        case .size(_, let backupCount):
            for index in stride(from: backupCount - 1, through: 1, by: -1) {
                let source = "\(path).\(index)"
                if FileManager.default.fileExists(atPath: source) {
                    let target = "\(path).\(index + 1)"
                    unlink(target)
                    rename(source, target)
                }
            }
            let first = "\(path).1"
            unlink(first)
            rename(path, first)
        case .time(let schedule, let backupCount, let maxBytes):
            let rolloverAt = state.rolloverAt ?? now
            let byteLimited = maxBytes > 0
            let stamp = schedule.archiveStamp(rolloverAt: rolloverAt, secondsFormat: byteLimited)
            var target = "\(path).\(stamp)"
            if byteLimited {
                // The reference's class: an archive of the same second gets the next number, never
                // a lower one (the older ones of that second may have been pruned).
                let name = (target as NSString).lastPathComponent
                let highest = LogArchives.timed(base: path, format: "%Y-%m-%d_%H-%M-%S")
                    .map { ($0 as NSString).lastPathComponent }
                    .filter { $0 == name || $0.hasPrefix(name + ".") }
                    .map { $0 == name ? 0 : Int($0.dropFirst(name.count + 1)) ?? 0 }
                    .max()
                if let highest { target += ".\(highest + 1)" }
            } else {
                unlink(target)
            }
            rename(path, target)
            if backupCount > 0 {
                let format = byteLimited ? "%Y-%m-%d_%H-%M-%S" : schedule.suffixFormat
                let archives = LogArchives.timed(base: path, format: format)
                for old in archives.dropLast(backupCount) { unlink(old) }
            }
            if now >= rolloverAt { state.rolloverAt = schedule.nextRollover(now: now) }
        }
        open(&state, now: now)
    }

    private func report(_ state: inout State, _ problem: String) {
        guard !state.reportedFailure else { return }
        state.reportedFailure = true
        FileHandle.standardError.write(Data("log file \(settings.path): \(problem); its records go to the other handlers only\n".utf8))
    }
}
