import ArgumentParser
import Foundation
import Logging
import Modbus

/// `gateway-bench modbus-sim`: many simulated Modbus TCP devices in one process, the load for
/// benchmarks/modbus. Device i listens on base-port + i, serves unit 1 with `registers` holding
/// registers whose values change once a second (so on-change reporting sees data too), and the
/// process runs until SIGTERM / SIGINT. On SIGUSR1 it prints one JSON line of counters (requests
/// and registers served, its own CPU), which the orchestrator reads at both ends of its window.
struct ModbusSimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modbus-sim",
        abstract: "Serve N simulated Modbus TCP devices on consecutive ports until SIGTERM/SIGINT.")

    @Option(help: "Devices to simulate (one TCP listener each).") var devices = 500
    @Option(help: "Holding registers per device (addresses 0..<registers).") var registers = 30
    @Option(help: "Port of the first device; device i listens on base-port + i.") var basePort = 15020
    @Option(help: "Address to listen on.") var host = "127.0.0.1"

    func validate() throws {
        guard devices > 0, registers > 0, registers <= 0x10000 else {
            throw ValidationError("--devices and --registers must be positive (registers at most 65536)")
        }
        guard basePort > 0, basePort + devices - 1 <= 65535 else {
            throw ValidationError("ports \(basePort)...\(basePort + devices - 1) are not all valid TCP ports")
        }
    }

    func run() async throws {
        let control = SimulatorControl()

        var logger = Logger(label: "modbus-sim")
        logger.logLevel = .warning  // 500 "listening" lines would only hide real problems
        let stores = (0..<devices).map { _ in ModbusDataStore(unitIds: [1], holdingRegisters: registers) }
        var servers: [ModbusServer] = []
        for (index, store) in stores.enumerated() {
            let server = ModbusServer(endpoint: .tcp(host: host, port: basePort + index), framing: .socket,
                                      store: store, logger: logger)
            do {
                try await server.start()
            } catch {
                // A port in use: close the ones already open, then report which port failed.
                for started in servers { await started.stop() }
                throw SimulatorStartError(address: "\(host):\(basePort + index)", underlying: error)
            }
            servers.append(server)
        }
        SimulatorControl.emit("READY")

        await control.serve(ticking: { await Self.tick(stores: stores, registers: registers) },
                            counters: { SimulatorCounters.current().jsonLine })
        for server in servers { await server.stop() }
    }

    /// Once a second every register of every device gets a new value: register k of device d holds
    /// second + k + d, so neighbouring registers and devices differ and every poll sees a change.
    private static func tick(stores: [ModbusDataStore], registers: Int) async {
        var second = 0
        var values = [UInt16](repeating: 0, count: registers)
        while !Task.isCancelled {
            for (device, store) in stores.enumerated() {
                for k in 0..<registers { values[k] = UInt16(truncatingIfNeeded: second + k + device) }
                try? store.write(.holdingRegisters, unitId: 1, address: 0, registers: values)
            }
            second += 1
            try? await Task.sleep(for: .seconds(1))
        }
    }
}

/// A device's port could not be opened (typically already in use); the message names it.
struct SimulatorStartError: Error, CustomStringConvertible {
    let address: String
    let underlying: any Error

    var description: String { "cannot listen on \(address): \(underlying)" }
}

/// What the simulator has served so far, read from the kernel's per-connection TCP counters.
///
/// Why the kernel: `ModbusServer` has no per-request hook, and every request the gateways send here
/// is a read of holding registers, whose ADU is always 12 bytes (MBAP 7 + function 1 + address 2 +
/// count 2). So requests = bytes received / 12, and since each answer is 9 + 2·n bytes for n
/// registers, registers served = (bytes sent − 9·requests) / 2. Counts of connections that have
/// closed are lost, so `connections` is reported too: a stable value means the difference of two
/// samples is exact.
struct SimulatorCounters {
    var requests = 0
    var registers = 0
    var bytesReceived = 0
    var bytesAcknowledged = 0
    var connections = 0
    var cpuSeconds = 0.0
    var rssMiB = 0.0

    static func current() -> SimulatorCounters {
        var counters = SimulatorCounters()
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for name in descriptors {
            guard let descriptor = Int32(name), let info = TCPInfo(descriptor: descriptor),
                  info.isEstablished else { continue }
            counters.connections += 1
            counters.bytesReceived += Int(info.bytesReceived)
            counters.bytesAcknowledged += Int(info.bytesAcknowledged)
        }
        counters.requests = counters.bytesReceived / 12
        counters.registers = max(0, (counters.bytesAcknowledged - 9 * counters.requests) / 2)
        let sample = ProcessSample(pid: getpid())
        counters.cpuSeconds = sample.cpuSeconds
        counters.rssMiB = sample.rssMiB
        return counters
    }

    var jsonLine: String {
        "{\"t\":\(Date().timeIntervalSince1970),\"requests\":\(requests),\"registers\":\(registers),"
            + "\"bytesReceived\":\(bytesReceived),\"bytesAcknowledged\":\(bytesAcknowledged),"
            + "\"connections\":\(connections),\"cpuSeconds\":\(cpuSeconds),\"rssMiB\":\(rssMiB)}"
    }
}

/// The few fields of Linux's `struct tcp_info` needed here, read by offset from the raw bytes:
/// glibc's copy of the struct predates the byte counters (kernel 4.1+), the kernel's layout is
/// stable ABI. Offsets: state u8 at 0, tcpi_bytes_acked u64 at 120, tcpi_bytes_received u64 at 128.
struct TCPInfo {
    let state: UInt8
    let bytesAcknowledged: UInt64
    let bytesReceived: UInt64

    /// 1 is TCP_ESTABLISHED; listeners (state 10) and half-closed connections are skipped.
    var isEstablished: Bool { state == 1 }

    /// nil when the descriptor is not a TCP socket (epoll, eventfd, pipes, files).
    init?(descriptor: Int32) {
        var raw = [UInt8](repeating: 0, count: 256)
        var length = socklen_t(raw.count)
        let result = raw.withUnsafeMutableBytes { buffer in
            getsockopt(descriptor, Int32(IPPROTO_TCP), TCP_INFO, buffer.baseAddress, &length)
        }
        guard result == 0, length >= 136 else { return nil }
        func u64(at offset: Int) -> UInt64 {
            raw.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
        }
        state = raw[0]
        bytesAcknowledged = u64(at: 120)
        bytesReceived = u64(at: 128)
    }
}
