import ArgumentParser
import Foundation
import OPCUA

/// `gateway-bench opcua-sim`: an OPC-UA server with the address space of
/// benchmarks/opcua/bench_server.py (D devices × I Double variables, every value new each second),
/// fast enough to feed 10,000 monitored items a second where asyncua saturates a core at ~750
/// notifications/s. Built on the project's own OPC-UA codec (Sources/OPCUA) and NIO; SecurityPolicy
/// None only. Prints "READY <endpoint>" once listening, runs until SIGTERM / SIGINT, and on SIGUSR1
/// prints one JSON line of counters (bench_server.py's keys plus notifications sent).
struct OPCUASimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opcua-sim",
        abstract: "Serve the OPC-UA benchmark address space (D devices × I changing items) until SIGTERM/SIGINT.")

    @Option(help: "TCP port of the endpoint opc.tcp://<host>:<port>/bench/.") var port = 4840
    @Option(help: "Device objects (ns=2;s=dev<d>, browse name Dev%05d).") var devices = 100
    @Option(help: "Double variables per device (ns=2;s=d<d>.v<k>), each new every second.") var items = 100
    @Option(help: "Address to listen on.") var host = "127.0.0.1"

    func validate() throws {
        guard devices > 0, items > 0, devices <= 1_000_000, items <= 1_000_000 else {
            throw ValidationError("--devices and --items must be between 1 and 1,000,000")
        }
        guard (1...65535).contains(port) else { throw ValidationError("--port \(port) is not a TCP port") }
    }

    func run() async throws {
        let control = SimulatorControl()

        // The URL clients are told to use: a wildcard listen address is reached through loopback.
        let endpointHost = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        let endpointURL = "opc.tcp://\(endpointHost):\(port)/bench/"
        let values = OPCUASimulatorValues()
        let counters = OPCUASimulatorCounters()
        let shared = OPCUASimulatorShared(
            space: OPCUASimulatorAddressSpace(devices: devices, items: items, startTime: .now),
            values: values, counters: counters, endpointURL: endpointURL)
        // The first round before listening, so every value already follows the formula.
        let now = Date()
        values.advance(second: Int(now.timeIntervalSince1970), stamp: OPCUADateTime(date: now))
        counters.recordRound(writes: devices * items, seconds: 0, late: false)

        let server: OPCUASimulatorServer
        do {
            server = try await OPCUASimulatorServer.start(host: host, port: port, shared: shared)
        } catch {
            throw SimulatorStartError(address: "\(host):\(port)", underlying: error)
        }
        SimulatorControl.emit("READY \(endpointURL)")

        let writesPerRound = devices * items
        await control.serve(ticking: { await Self.tick(values: values, counters: counters, writesPerRound: writesPerRound) },
                            counters: { counters.jsonLine })
        await server.stop()
    }

    /// One round per wall-clock second, just after the second starts (aligned ticks: the values of a
    /// round belong to exactly one Unix second, and nothing drifts). A round only swaps the shared
    /// snapshot; the subscriptions notice it on their next publishing cycle.
    private static func tick(values: OPCUASimulatorValues, counters: OPCUASimulatorCounters,
                             writesPerRound: Int) async {
        while !Task.isCancelled {
            let now = Date().timeIntervalSince1970
            let due = now.rounded(.down) + 1
            try? await Task.sleep(for: .seconds(due - now))
            if Task.isCancelled { break }
            let clock = ContinuousClock()
            let started = clock.now
            let wall = Date()
            // The round stands for the second it was due in, even if the sleep ended a hair early.
            values.advance(second: Int(due), stamp: OPCUADateTime(date: wall))
            let elapsed = clock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            // Late as in bench_server.py: the next round was already due when this one was made.
            counters.recordRound(writes: writesPerRound, seconds: seconds,
                                 late: Date().timeIntervalSince1970 >= due + 1)
        }
    }
}
