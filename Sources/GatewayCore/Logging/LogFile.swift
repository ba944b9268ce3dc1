import Foundation
import Synchronization

/// One log file of logs.json, shared by every logger whose handler names it: lines are appended
/// under a lock (records are rare next to the data path, and a line must never be interleaved with
/// another), and the file is rotated as its handler's class would.
///
/// A file that cannot be opened, written or rotated (no such folder and none can be made, no
/// permission, disk full) is reported once on standard error; opening is retried at most once a
/// minute, and a file that cannot be renamed keeps growing rather than being rotated on every
/// line. An archive is never overwritten: a name that exists gets the next number. Logging never
/// stops the gateway.
final class LogFile: Sendable {
    let settings: LogFileSettings

    private struct State {
        var descriptor: Int32 = -1
        var size = 0
        var rolloverAt: Double?
        var nextOpenAttempt: Double = 0
        var opened = false
        var rotationFailed = false
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
            if state.descriptor >= 0, settings.reopensWhenMoved, wasMoved(state.descriptor) {
                close(state.descriptor)
                state.descriptor = -1
            }
            if state.descriptor < 0 {
                guard now >= state.nextOpenAttempt else { return }
                open(&state, now: now)
                guard state.descriptor >= 0 else { return }
            }
            if !state.rotationFailed, needsRollover(state, adding: bytes.count, now: now) {
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

    /// `WatchedFileHandler`: the path no longer names the open file.
    private func wasMoved(_ descriptor: Int32) -> Bool {
        var open = stat()
        var named = stat()
        guard fstat(descriptor, &open) == 0 else { return true }
        guard stat(settings.path, &named) == 0 else { return true }
        return open.st_dev != named.st_dev || open.st_ino != named.st_ino
    }

    private func open(_ state: inout State, now: Double) {
        let folder = (settings.path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        var existing = stat()
        let existed = stat(settings.path, &existing) == 0
        var flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC
        if settings.truncatesAtStart && !state.opened { flags |= O_TRUNC }
        let descriptor = Foundation.open(settings.path, flags, 0o644)
        guard descriptor >= 0 else {
            state.nextOpenAttempt = now + 60
            report(&state, "cannot open: \(String(cString: strerror(errno)))")
            return
        }
        var status = stat()
        fstat(descriptor, &status)
        state.descriptor = descriptor
        state.size = Int(status.st_size)
        state.opened = true
        state.reportedFailure = false
        if case .time(let schedule, _, _) = settings.rotation, state.rolloverAt == nil {
            // As Python: the period of a file that exists runs from its last change.
            state.rolloverAt = schedule.firstRollover(after: existed ? Double(existing.st_mtim.tv_sec) : now)
        }
    }

    private func rollOver(_ state: inout State, now: Double) {
        let dueAt = state.rolloverAt ?? now
        if case .time(let schedule, _, _) = settings.rotation {
            // As Python, after any rollover (also one for size) the next period starts now.
            state.rolloverAt = schedule.nextRollover(now: now)
        }
        // As Python (bpo-45401): only a regular file is rotated, never /dev/stdout or a pipe.
        var status = stat()
        guard fstat(state.descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return }
        close(state.descriptor)
        state.descriptor = -1
        let path = settings.path
        var renamed = true
        switch settings.rotation {
        case .none:
            break
        case .size(_, let backupCount):
            for index in stride(from: backupCount - 1, through: 1, by: -1) where exists("\(path).\(index)") {
                unlink("\(path).\(index + 1)")
                rename("\(path).\(index)", "\(path).\(index + 1)")
            }
            unlink("\(path).1")
            renamed = rename(path, "\(path).1") == 0
        case .time(let schedule, let backupCount, let maxBytes):
            // The reference's class stamps archives to the second when it also rotates for size.
            let format = maxBytes > 0 ? "%Y-%m-%d_%H-%M-%S" : schedule.suffixFormat
            let stamp = schedule.archiveStamp(rolloverAt: dueAt, now: now, secondsFormat: maxBytes > 0)
            renamed = rename(path, archiveName("\(path).\(stamp)", format: format)) == 0
            if renamed, backupCount > 0 {
                for old in LogArchives.timed(base: path, format: format).dropLast(backupCount) { unlink(old) }
            }
        }
        if !renamed {
            state.rotationFailed = true
            report(&state, "cannot rotate (rename failed: \(String(cString: strerror(errno)))); it keeps growing")
        }
        open(&state, now: now)
    }

    /// `name`, or when an archive of that name exists (two rollovers in one second, or a clock
    /// set back) the next number after the highest one, as the reference's class numbers them.
    private func archiveName(_ name: String, format: String) -> String {
        guard exists(name) else { return name }
        let base = (name as NSString).lastPathComponent
        let highest = LogArchives.timed(base: settings.path, format: format)
            .map { ($0 as NSString).lastPathComponent }
            .filter { $0 == base || $0.hasPrefix(base + ".") }
            .map { $0 == base ? 0 : Int($0.dropFirst(base.count + 1)) ?? 0 }
            .max() ?? 0
        return "\(name).\(highest + 1)"
    }

    private func exists(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0
    }

    private func report(_ state: inout State, _ problem: String) {
        guard !state.reportedFailure else { return }
        state.reportedFailure = true
        FileHandle.standardError.write(Data("log file \(settings.path): \(problem); its records go to the other handlers only\n".utf8))
    }
}
