import Foundation
import Modbus
import Testing
import TestSupport

/// Our client against the real pymodbus 3.16.1 server over TCP.
@Suite(.serialized) struct ClientPymodbusTCPTests {
    @Test func readsEveryAreaAndWritesEveryKind() async throws {
        let scratch = try makeScratchDirectory("modbus-client-tcp")
        let (server, port) = try await ModbusPeer.startNetworkServer(in: scratch)
        defer { server.stop() }
        let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: port), framing: .socket)
        try await client.connect(timeout: .seconds(5))
        #expect(await client.isConnected)

        #expect(try await client.send(.readCoils(address: 0, count: 4), unitId: 1, timeout: .seconds(5))
                == .bits([true, false, true, false]))
        #expect(try await client.send(.readDiscreteInputs(address: 0, count: 5), unitId: 1, timeout: .seconds(5))
                == .bits([false, true, false, true, false]))
        #expect(try await client.send(.readHoldingRegisters(address: 0, count: 4), unitId: 1, timeout: .seconds(5))
                == .registers([100, 101, 102, 103]))
        #expect(try await client.send(.readInputRegisters(address: 6, count: 4), unitId: 1, timeout: .seconds(5))
                == .registers([206, 207, 208, 209]))

        #expect(try await client.send(.writeSingleCoil(address: 1, value: true), unitId: 1, timeout: .seconds(5))
                == .writeAcknowledged)
        #expect(try await client.send(.writeSingleRegister(address: 5, value: 4242), unitId: 1, timeout: .seconds(5))
                == .writeAcknowledged)
        #expect(try await client.send(.writeMultipleCoils(address: 4, values: [false, true, true]), unitId: 1,
                                      timeout: .seconds(5)) == .writeAcknowledged)
        #expect(try await client.send(.writeMultipleRegisters(address: 7, values: [1, 65535, 3]), unitId: 1,
                                      timeout: .seconds(5)) == .writeAcknowledged)

        // Read back what was written, as a user would check it.
        #expect(try await client.send(.readCoils(address: 0, count: 8), unitId: 1, timeout: .seconds(5))
                == .bits([true, true, true, false, false, true, true, false]))
        #expect(try await client.send(.readHoldingRegisters(address: 4, count: 6), unitId: 1, timeout: .seconds(5))
                == .registers([104, 4242, 106, 1, 65535, 3]))
        await client.close()
        #expect(await !client.isConnected)
        await #expect(throws: ModbusClientError.notConnected) {
            try await client.send(.readCoils(address: 0, count: 1), unitId: 1, timeout: .seconds(1))
        }
    }

    /// pymodbus answers only the first of several requests arriving together, so the client's
    /// default is one at a time: concurrent callers queue and all get their own answer.
    @Test func concurrentCallersAreQueuedAndEachGetsItsAnswer() async throws {
        let scratch = try makeScratchDirectory("modbus-client-pipeline")
        let (server, port) = try await ModbusPeer.startNetworkServer(in: scratch)
        defer { server.stop() }
        let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: port), framing: .socket)
        try await client.connect(timeout: .seconds(5))
        try await withThrowingTaskGroup(of: (Int, ModbusResponse).self) { group in
            for offset in 0..<10 {
                group.addTask {
                    (offset, try await client.send(.readInputRegisters(address: UInt16(offset), count: 1), unitId: 1,
                                                   timeout: .seconds(5)))
                }
            }
            for try await (offset, response) in group {
                #expect(response == .registers([UInt16(200 + offset)]))
            }
        }
        await client.close()
    }

    @Test func exceptionsComeBackAsModbusException() async throws {
        let scratch = try makeScratchDirectory("modbus-client-exception")
        let (server, port) = try await ModbusPeer.startNetworkServer(in: scratch)
        defer { server.stop() }
        let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: port), framing: .socket)
        try await client.connect(timeout: .seconds(5))
        await #expect(throws: ModbusException(function: 3, code: .illegalDataAddress)) {
            try await client.send(.readHoldingRegisters(address: 8, count: 4), unitId: 1, timeout: .seconds(5))
        }
        // pymodbus answers an unknown device id with "server device failure".
        await #expect(throws: ModbusException(function: 3, code: .serverDeviceFailure)) {
            try await client.send(.readHoldingRegisters(address: 0, count: 1), unitId: 9, timeout: .seconds(5))
        }
        // The connection is still usable afterwards.
        #expect(try await client.send(.readHoldingRegisters(address: 1, count: 1), unitId: 1, timeout: .seconds(5))
                == .registers([101]))
        await client.close()
    }

    @Test func countingValuesChangeBetweenReads() async throws {
        let scratch = try makeScratchDirectory("modbus-client-countup")
        let (server, port) = try await ModbusPeer.startNetworkServer(in: scratch, countUp: true)
        defer { server.stop() }
        let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: port), framing: .socket)
        try await client.connect(timeout: .seconds(5))
        let first = try await client.send(.readHoldingRegisters(address: 0, count: 2), unitId: 1, timeout: .seconds(5))
        let second = try await client.send(.readHoldingRegisters(address: 0, count: 2), unitId: 1, timeout: .seconds(5))
        #expect(first == .registers([101, 101]))
        #expect(second == .registers([102, 101]))
        await client.close()
    }

    @Test func serverValuesComeFromTheValuesFile() async throws {
        let scratch = try makeScratchDirectory("modbus-client-values")
        let values = ModbusPeer.Values(unit: 7, coils: [false, false, true], discreteInputs: [true],
                                       holdingRegisters: [1, 65535, 3], inputRegisters: [42])
        let (server, port) = try await ModbusPeer.startNetworkServer(in: scratch, values: values)
        defer { server.stop() }
        let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: port), framing: .socket)
        try await client.connect(timeout: .seconds(5))
        #expect(try await client.send(.readHoldingRegisters(address: 0, count: 3), unitId: 7, timeout: .seconds(5))
                == .registers([1, 65535, 3]))
        #expect(try await client.send(.readInputRegisters(address: 0, count: 1), unitId: 7, timeout: .seconds(5))
                == .registers([42]))
        #expect(try await client.send(.readCoils(address: 0, count: 3), unitId: 7, timeout: .seconds(5))
                == .bits([false, false, true]))
        #expect(try await client.send(.readDiscreteInputs(address: 0, count: 1), unitId: 7, timeout: .seconds(5))
                == .bits([true]))
        await client.close()
    }

    @Test func connectToAClosedPortFailsAndCanBeRetried() async throws {
        let scratch = try makeScratchDirectory("modbus-client-retry")
        let port = freeTCPPort()
        let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: port), framing: .socket)
        await #expect(throws: (any Error).self) { try await client.connect(timeout: .seconds(2)) }
        #expect(await !client.isConnected)
        let server = try PythonPeer.start("modbus_server.py", arguments: ["tcp", String(port)],
                                          logFile: scratch.appendingPathComponent("server.log"))
        defer { server.stop() }
        #expect(await waitUntil(timeout: 20) { isTCPPortOpen(port) })
        try await client.connect(timeout: .seconds(5))
        #expect(try await client.send(.readCoils(address: 0, count: 1), unitId: 1, timeout: .seconds(5)) == .bits([true]))
        await client.close()
    }
}
