import Foundation

/// CPU time, RSS and threads of a process, from /proc.
struct ProcessSample {
    var cpuSeconds: Double = 0
    var rssMiB: Double = 0
    var peakRSSMiB: Double = 0
    /// The private part of RSS (heap, stacks): what the process alone costs.
    var anonymousRSSMiB: Double = 0
    /// Mapped file pages (code of the binary and shared libraries), shared and reclaimable.
    var fileRSSMiB: Double = 0
    var threads = 0

    init(pid: Int32) {
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // Fields after the command: state is [0]; utime [11], stime [12] (clock ticks).
            if fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) {
                cpuSeconds = (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
            }
        }
        if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) {
            for line in status.split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let number = Double(parts[1].split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") ?? 0
                switch parts[0] {
                case "VmRSS": rssMiB = number / 1024
                case "VmHWM": peakRSSMiB = number / 1024
                case "RssAnon": anonymousRSSMiB = number / 1024
                case "RssFile": fileRSSMiB = number / 1024
                case "Threads": threads = Int(number)
                default: break
                }
            }
        }
    }
}

func siblingExecutable(_ name: String) -> URL {
    URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent(name)
}

func runChild(arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// A mosquitto started for the benchmark on a free port (or an existing broker).
struct BrokerHandle {
    let port: Int
    let process: Process?
    /// The started broker's config folder, removed by `stop`.
    let directory: URL?

    init(port: Int) {
        self.port = port
        self.process = nil
        self.directory = nil
    }

    private init(port: Int, process: Process, directory: URL) {
        self.port = port
        self.process = process
        self.directory = directory
    }

    static func start() throws -> BrokerHandle {
        let port = Int.random(in: 20_000..<60_000)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gw-bench-broker-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("mosquitto.conf")
        try """
        listener \(port) 127.0.0.1
        allow_anonymous true
        persistence false
        user root
        max_queued_messages 2000000
        max_inflight_messages 0
        """.write(to: config, atomically: true, encoding: .utf8)
        let process = Process()
        let candidates = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw BenchError("mosquitto is not installed (apt-get install mosquitto)")
        }
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-c", config.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(300_000)
        return BrokerHandle(port: port, process: process, directory: directory)
    }

    /// SIGKILL: the benchmark broker keeps nothing, and mosquitto may sit out a SIGTERM.
    func stop() {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
