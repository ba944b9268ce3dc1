import Foundation
import Modbus
import Testing
import TestSupport

/// RTU and ASCII over a serial line: a socat pty pair, pymodbus on one end, our client on the other
/// (and our server read by our client, for ASCII, which pymodbus serves too).
@Suite(.serialized) struct SerialLineTests {
    @Test func rtuClientAgainstPymodbusOverAPtyPair() async throws {
        let scratch = try makeScratchDirectory("modbus-rtu")
        let pty = try await PtyPair(in: scratch)
        defer { pty.stop() }
        let server = try await ModbusPeer.startSerialServer(mode: "rtu", tty: pty.first, in: scratch)
        defer { server.stop() }
        let client = ModbusClient(endpoint: .serial(ModbusSerialSettings(port: pty.second)), framing: .rtu)
        try await client.connect(timeout: .seconds(5))

        #expect(try await client.send(.readHoldingRegisters(address: 0, count: 4), unitId: 1, timeout: .seconds(5))
                == .registers([100, 101, 102, 103]))
        #expect(try await client.send(.readInputRegisters(address: 0, count: 2), unitId: 1, timeout: .seconds(5))
                == .registers([200, 201]))
        #expect(try await client.send(.readCoils(address: 0, count: 3), unitId: 1, timeout: .seconds(5))
                == .bits([true, false, true]))
        #expect(try await client.send(.readDiscreteInputs(address: 0, count: 3), unitId: 1, timeout: .seconds(5))
                == .bits([false, true, false]))
        #expect(try await client.send(.writeSingleRegister(address: 5, value: 4242), unitId: 1, timeout: .seconds(5))
                == .writeAcknowledged)
        #expect(try await client.send(.writeMultipleRegisters(address: 6, values: [7, 8]), unitId: 1, timeout: .seconds(5))
                == .writeAcknowledged)
        #expect(try await client.send(.writeSingleCoil(address: 1, value: true), unitId: 1, timeout: .seconds(5))
                == .writeAcknowledged)
        #expect(try await client.send(.writeMultipleCoils(address: 2, values: [false, true]), unitId: 1, timeout: .seconds(5))
                == .writeAcknowledged)
        #expect(try await client.send(.readHoldingRegisters(address: 4, count: 4), unitId: 1, timeout: .seconds(5))
                == .registers([104, 4242, 7, 8]))
        #expect(try await client.send(.readCoils(address: 0, count: 4), unitId: 1, timeout: .seconds(5))
                == .bits([true, true, false, true]))
        await #expect(throws: ModbusException(function: 4, code: .illegalDataAddress)) {
            try await client.send(.readInputRegisters(address: 9, count: 2), unitId: 1, timeout: .seconds(5))
        }

        // Requests from concurrent callers go out one at a time and each gets its own answer.
        try await withThrowingTaskGroup(of: (Int, ModbusResponse).self) { group in
            for offset in 0..<5 {
                group.addTask {
                    (offset, try await client.send(.readInputRegisters(address: UInt16(offset), count: 1), unitId: 1,
                                                   timeout: .seconds(10)))
                }
            }
            for try await (offset, response) in group {
                #expect(response == .registers([UInt16(200 + offset)]))
            }
        }
        await client.close()
    }

    @Test func silentLineTimesOutThenALateServerIsHeard() async throws {
        let scratch = try makeScratchDirectory("modbus-rtu-timeout")
        let pty = try await PtyPair(in: scratch)
        defer { pty.stop() }
        let client = ModbusClient(endpoint: .serial(ModbusSerialSettings(port: pty.second)), framing: .rtu)
        try await client.connect(timeout: .seconds(5))
        // Nobody on the other end yet. (pymodbus answers unknown units with exception 4 even on
        // serial, so silence is made by having no server at all.)
        await #expect(throws: ModbusClientError.timeout) {
            try await client.send(.readHoldingRegisters(address: 0, count: 1), unitId: 1, timeout: .milliseconds(300))
        }
        let server = try await ModbusPeer.startSerialServer(mode: "rtu", tty: pty.first, in: scratch)
        defer { server.stop() }
        #expect(try await client.send(.readHoldingRegisters(address: 1, count: 1), unitId: 1, timeout: .seconds(5))
                == .registers([101]))
        await #expect(throws: ModbusException(function: 3, code: .serverDeviceFailure)) {
            try await client.send(.readHoldingRegisters(address: 0, count: 1), unitId: 9, timeout: .seconds(5))
        }
        await client.close()
    }

    @Test func asciiClientAgainstPymodbusOverAPtyPair() async throws {
        let scratch = try makeScratchDirectory("modbus-ascii")
        let pty = try await PtyPair(in: scratch)
        defer { pty.stop() }
        let server = try await ModbusPeer.startSerialServer(mode: "ascii", tty: pty.first, in: scratch)
        defer { server.stop() }
        let client = ModbusClient(endpoint: .serial(ModbusSerialSettings(port: pty.second)), framing: .ascii)
        try await client.connect(timeout: .seconds(5))
        #expect(try await client.send(.readHoldingRegisters(address: 0, count: 3), unitId: 1, timeout: .seconds(5))
                == .registers([100, 101, 102]))
        #expect(try await client.send(.writeSingleRegister(address: 2, value: 9), unitId: 1, timeout: .seconds(5))
                == .writeAcknowledged)
        #expect(try await client.send(.readHoldingRegisters(address: 2, count: 1), unitId: 1, timeout: .seconds(5))
                == .registers([9]))
        await client.close()
    }

    @Test(arguments: [ModbusFraming.rtu, .ascii])
    func ourSerialServerOnAPtyAnswersOurClient(framing: ModbusFraming) async throws {
        let scratch = try makeScratchDirectory("modbus-serial-server")
        let pty = try await PtyPair(in: scratch)
        defer { pty.stop() }
        let store = ModbusDataStore(unitIds: [3], holdingRegisters: 4)
        try store.write(.holdingRegisters, unitId: 3, address: 0, registers: [10, 20, 30, 40])
        // Even parity and two stop bits exercise the termios set-up (a pty accepts any line settings).
        let line = ModbusSerialSettings(port: pty.first, baudRate: 9600, parity: .even, stopBits: 2)
        let server = ModbusServer(endpoint: .serial(line), framing: framing, store: store)
        try await server.start()
        let client = ModbusClient(endpoint: .serial(ModbusSerialSettings(port: pty.second, baudRate: 9600, parity: .even,
                                                                         stopBits: 2)), framing: framing)
        try await client.connect(timeout: .seconds(5))
        #expect(try await client.send(.readHoldingRegisters(address: 1, count: 3), unitId: 3, timeout: .seconds(5))
                == .registers([20, 30, 40]))
        #expect(try await client.send(.writeMultipleRegisters(address: 0, values: [7, 8]), unitId: 3, timeout: .seconds(5))
                == .writeAcknowledged)
        #expect(try store.readRegisters(.holdingRegisters, unitId: 3, address: 0, count: 2) == [7, 8])
        await #expect(throws: ModbusClientError.timeout) {
            try await client.send(.readHoldingRegisters(address: 0, count: 1), unitId: 4, timeout: .milliseconds(300))
        }
        // A write to unit 0 is a broadcast: the server carries it out without answering, and the
        // client takes it as done after the turnaround delay instead of timing out.
        let started = ContinuousClock.now
        #expect(try await client.send(.writeSingleRegister(address: 3, value: 99), unitId: 0, timeout: .seconds(5))
                == .writeAcknowledged)
        #expect(ContinuousClock.now - started >= .milliseconds(100))
        #expect(try store.readRegisters(.holdingRegisters, unitId: 3, address: 3, count: 1) == [99])
        #expect(try await client.send(.readHoldingRegisters(address: 3, count: 1), unitId: 3, timeout: .seconds(5))
                == .registers([99]))
        await client.close()
        await server.stop()
    }

    @Test func badSerialSettingsGiveAClearError() async throws {
        let scratch = try makeScratchDirectory("modbus-serial-errors")
        let pty = try await PtyPair(in: scratch)
        defer { pty.stop() }
        let cases: [(ModbusSerialSettings, String)] = [
            (ModbusSerialSettings(port: scratch.appendingPathComponent("nope").path), "cannot open serial port"),
            (ModbusSerialSettings(port: pty.second, baudRate: 12345), "unsupported baud rate 12345"),
            (ModbusSerialSettings(port: pty.second, dataBits: 9), "unsupported data bits 9"),
            (ModbusSerialSettings(port: pty.second, stopBits: 3), "unsupported stop bits 3"),
        ]
        for (settings, message) in cases {
            let client = ModbusClient(endpoint: .serial(settings), framing: .rtu)
            do {
                try await client.connect(timeout: .seconds(1))
                Issue.record("connect succeeded with \(settings)")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }
}
