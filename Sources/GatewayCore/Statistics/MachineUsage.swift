import Foundation

/// The machine's CPU, memory and disk from /proc and statvfs (Linux), for statistics telemetry.
struct MachineUsage: Sendable, Equatable {
    /// Busy and total jiffies of all CPUs since boot (/proc/stat "cpu" line).
    var cpuBusy: Double
    var cpuTotal: Double
    var memoryTotalBytes: Int64
    var memoryAvailableBytes: Int64
    var diskTotalBytes: Int64
    var diskFreeBytes: Int64

    static func current(diskPath: String) -> MachineUsage {
        var usage = MachineUsage(cpuBusy: 0, cpuTotal: 0, memoryTotalBytes: 0, memoryAvailableBytes: 0,
                                 diskTotalBytes: 0, diskFreeBytes: 0)
        if let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
           let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) {
            let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
            if fields.count >= 4 {
                let idle = fields[3] + (fields.count > 4 ? fields[4] : 0)  // idle + iowait
                usage.cpuTotal = fields.reduce(0, +)
                usage.cpuBusy = usage.cpuTotal - idle
            }
        }
        if let meminfo = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) {
            for line in meminfo.split(separator: "\n") {
                let parts = line.split(separator: " ", omittingEmptySubsequences: true)
                guard parts.count >= 2, let kilobytes = Int64(parts[1]) else { continue }
                if parts[0] == "MemTotal:" { usage.memoryTotalBytes = kilobytes * 1024 }
                if parts[0] == "MemAvailable:" { usage.memoryAvailableBytes = kilobytes * 1024 }
            }
        }
        var fs = statvfs()
        if statvfs(diskPath, &fs) == 0 {
            usage.diskTotalBytes = Int64(fs.f_blocks) * Int64(fs.f_frsize)
            usage.diskFreeBytes = Int64(fs.f_bavail) * Int64(fs.f_frsize)
        }
        return usage
    }

    /// CPU use in percent between two readings.
    static func cpuPercent(from earlier: MachineUsage, to later: MachineUsage) -> Double {
        let total = later.cpuTotal - earlier.cpuTotal
        guard total > 0 else { return 0 }
        return ((later.cpuBusy - earlier.cpuBusy) / total * 1000).rounded() / 10
    }

    var memoryUsedPercent: Double {
        guard memoryTotalBytes > 0 else { return 0 }
        return (Double(memoryTotalBytes - memoryAvailableBytes) / Double(memoryTotalBytes) * 1000).rounded() / 10
    }

    var diskUsedPercent: Double {
        guard diskTotalBytes > 0 else { return 0 }
        return (Double(diskTotalBytes - diskFreeBytes) / Double(diskTotalBytes) * 1000).rounded() / 10
    }

    /// "15.5G", the reference's human-readable sizes.
    static func humanSize(_ bytes: Int64) -> String {
        let units = ["B", "K", "M", "G", "T"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return "\((value * 10).rounded() / 10)\(units[unit])"
    }
}
