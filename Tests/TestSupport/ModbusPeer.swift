import Foundation

/// The pymodbus 3.16.1 test peer (`Tests/Peers/modbus_server.py`) and a socat pty pair for RTU/ASCII
/// over a "serial line". Both fail with `PeerUnavailable` (tests fail, never skip) when missing.
public enum ModbusPeer {
    /// Initial values for the server: each list starts at address 0. Defaults match the script's:
    /// unit 1, coils 1,0,1,0…, discrete inputs 0,1,0,1…, holding 100…109, input 200…209.
    public struct Values: Sendable {
        public var unit: Int
        public var coils: [Bool]
        public var discreteInputs: [Bool]
        public var holdingRegisters: [Int]
        public var inputRegisters: [Int]

        public init(unit: Int = 1, coils: [Bool] = [true, false, true, false, true, false, true, false],
                    discreteInputs: [Bool] = [false, true, false, true, false, true, false, true],
                    holdingRegisters: [Int] = (0..<10).map { 100 + $0 },
                    inputRegisters: [Int] = (0..<10).map { 200 + $0 }) {
            self.unit = unit
            self.coils = coils
            self.discreteInputs = discreteInputs
            self.holdingRegisters = holdingRegisters
            self.inputRegisters = inputRegisters
        }

        var json: String {
            func bits(_ values: [Bool]) -> String { "[" + values.map { $0 ? "1" : "0" }.joined(separator: ",") + "]" }
            func ints(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ",") + "]" }
            return #"{"unit":\#(unit),"co":\#(bits(coils)),"di":\#(bits(discreteInputs)),"hr":\#(ints(holdingRegisters)),"ir":\#(ints(inputRegisters))}"#
        }
    }

    /// Starts the server on a free port of 127.0.0.1 (`mode` "tcp" or "udp") and waits until it is
    /// ready (listening for tcp, "READY" printed for udp).
    public static func startNetworkServer(mode: String = "tcp", in scratch: URL, values: Values = Values(),
                                          countUp: Bool = false) async throws -> (process: PeerProcess, port: Int) {
        let port = freeTCPPort()
        let process = try start(mode: mode, where: String(port), in: scratch, values: values, countUp: countUp)
        let ready = await waitUntil(timeout: 20) {
            mode == "tcp" ? isTCPPortOpen(port) : process.output().contains("READY")
        }
        guard ready, process.isRunning else {
            process.stop()
            throw PeerUnavailable(what: "modbus_server.py \(mode)", hint: "did not start: \(process.output().suffix(2000))")
        }
        return (process, port)
    }

    /// Starts the server on a serial device (`mode` "rtu" or "ascii", 19200 8N1) and waits for READY.
    public static func startSerialServer(mode: String = "rtu", tty: String, in scratch: URL,
                                         values: Values = Values(), countUp: Bool = false) async throws -> PeerProcess {
        let process = try start(mode: mode, where: tty, in: scratch, values: values, countUp: countUp)
        let ready = await waitUntil(timeout: 20) { process.output().contains("READY") }
        guard ready, process.isRunning else {
            process.stop()
            throw PeerUnavailable(what: "modbus_server.py \(mode)", hint: "did not start: \(process.output().suffix(2000))")
        }
        return process
    }

    private static func start(mode: String, where place: String, in scratch: URL, values: Values,
                              countUp: Bool) throws -> PeerProcess {
        let valuesFile = scratch.appendingPathComponent("modbus-values-\(UUID().uuidString.prefix(6)).json")
        try values.json.write(to: valuesFile, atomically: true, encoding: .utf8)
        var arguments = [mode, place, "--values", valuesFile.path]
        if countUp { arguments.append("--count-up") }
        return try PythonPeer.start("modbus_server.py", arguments: arguments,
                                    logFile: scratch.appendingPathComponent("modbus-server-\(mode).log"))
    }
}

/// Two connected pseudo-terminals made by socat: what one side writes, the other reads, like the
/// two ends of a serial cable. `stop()` (or deinit) kills socat and the links vanish.
public final class PtyPair: Sendable {
    public let first: String
    public let second: String
    public let process: PeerProcess

    public init(in scratch: URL) async throws {
        first = scratch.appendingPathComponent("ttyA").path
        second = scratch.appendingPathComponent("ttyB").path
        process = try PeerProcess(executable: "socat",
                                  arguments: ["-d", "-d", "pty,raw,echo=0,link=\(first)", "pty,raw,echo=0,link=\(second)"],
                                  logFile: scratch.appendingPathComponent("socat.log"))
        let (first, second) = (first, second)
        let ready = await waitUntil(timeout: 10) {
            FileManager.default.fileExists(atPath: first) && FileManager.default.fileExists(atPath: second)
        }
        guard ready else {
            process.stop()
            throw PeerUnavailable(what: "socat pty pair", hint: process.output())
        }
    }

    /// SIGKILL: socat holds no state worth a clean exit.
    public func stop() { process.killHard() }
}
