import Foundation

/// This process's CPU time and memory from /proc (Linux), for `/metrics` and statistics.
struct ProcessUsage: Sendable, Equatable {
    var cpuSeconds: Double
    var residentBytes: Int64
    var virtualBytes: Int64
    var threads: Int

    /// nil where /proc is not available.
    static func current() -> ProcessUsage? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8) else { return nil }
        // Fields after the command name, which is in parentheses and may contain spaces.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state): utime is field 14, stime 15, threads 20, vsize 23, rss 24.
        guard fields.count > 21, let user = Double(fields[11]), let system = Double(fields[12]),
              let threads = Int(fields[17]), let virtual = Int64(fields[20]), let residentPages = Int64(fields[21]) else {
            return nil
        }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Int64(sysconf(Int32(_SC_PAGESIZE)))
        return ProcessUsage(cpuSeconds: (user + system) / ticks, residentBytes: residentPages * pageSize,
                            virtualBytes: virtual, threads: threads)
    }

    /// When this process started (`starttime`, field 22 of /proc/self/stat, against the
    /// machine's uptime); now where /proc is not available.
    static var startInstant: ContinuousClock.Instant {
        let now = ContinuousClock.now
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")"),
              let uptimeText = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8),
              let uptime = uptimeText.split(separator: " ").first.flatMap({ Double($0) }) else { return now }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let startTicks = Double(fields[19]) else { return now }
        let age = uptime - startTicks / Double(sysconf(Int32(_SC_CLK_TCK)))
        return age > 0 ? now - .milliseconds(Int64(age * 1000)) : now
    }
}
