import Foundation

/// The machine's CPU, memory and disk from /proc and statvfs (Linux), for statistics telemetry.
struct MachineUsage: Sendable, Equatable {
    /// The 15-minute load average (/proc/loadavg).
    var loadAverage15: Double
    var memoryTotalBytes: Int64
    var memoryAvailableBytes: Int64
    var diskTotalBytes: Int64
    var diskFreeBytes: Int64

    static func current(diskPath: String) -> MachineUsage {
        var usage = MachineUsage(loadAverage15: 0, memoryTotalBytes: 0, memoryAvailableBytes: 0,
                                 diskTotalBytes: 0, diskFreeBytes: 0)
        if let loadavg = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) {
            let fields = loadavg.split(separator: " ")
            if fields.count >= 3, let load = Double(fields[2]) { usage.loadAverage15 = load }
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

    /// The reference's `totalCpuUsage`: the 15-minute load average per core, in percent.
    var loadPercent: Double {
        let cores = Double(max(1, ProcessInfo.processInfo.activeProcessorCount))
        return (loadAverage15 / cores * 10_000).rounded() / 100
    }

    /// The reference's `gwMemory`: a resident size as a share of the machine's RAM, in percent.
    func memoryPercent(ofResidentBytes bytes: Int64) -> Double {
        guard memoryTotalBytes > 0 else { return 0 }
        return (Double(bytes) / Double(memoryTotalBytes) * 1000).rounded() / 10
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
