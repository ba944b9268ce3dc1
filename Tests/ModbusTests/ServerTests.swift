import Foundation
import Modbus
import Synchronization
import Testing
import TestSupport

/// Our `ModbusServer`: read and written by the real pymodbus client over TCP, and by our client over
/// TCP and UDP; unit filtering, address checks and the write hook.
@Suite struct ServerTests {
    static func store(onWrite: (@Sendable (ModbusDataArea, UInt16, Int) -> Void)? = nil) throws -> ModbusDataStore {
        let store = ModbusDataStore(unitIds: [1], coils: 8, discreteInputs: 8, holdingRegisters: 10, inputRegisters: 10,
                                    onWrite: onWrite)
        try store.write(.coils, unitId: 1, address: 0, bits: [true, false, true])
        try store.write(.discreteInputs, unitId: 1, address: 0, bits: [false, true, true])
        try store.write(.holdingRegisters, unitId: 1, address: 0, registers: [100, 101, 102, 103])
        try store.write(.inputRegisters, unitId: 1, address: 0, registers: [200, 201])
        return store
    }

    static let pymodbusClient = """
        import sys
        from pymodbus.client import ModbusTcpClient
        c = ModbusTcpClient("127.0.0.1", port=int(sys.argv[1]))
        assert c.connect()
        print("HR", c.read_holding_registers(0, count=4, device_id=1).registers)
        print("IR", c.read_input_registers(0, count=2, device_id=1).registers)
        print("CO", c.read_coils(0, count=3, device_id=1).bits[:3])
        print("DI", c.read_discrete_inputs(0, count=3, device_id=1).bits[:3])
        print("W1", c.write_register(2, 777, device_id=1).isError())
        print("W2", c.write_registers(5, [5, 6], device_id=1).isError())
        print("W3", c.write_coil(1, True, device_id=1).isError())
        print("W4", c.write_coils(3, [True, True], device_id=1).isError())
        print("EX", c.read_holding_registers(9, count=2, device_id=1).exception_code)
        c.close()
        print("DONE")
        """

    @Test func pymodbusClientReadsAndWritesOurTCPServer() async throws {
        let scratch = try makeScratchDirectory("modbus-server-pymodbus")
        let writes = Mutex<[String]>([])
        let store = try Self.store { area, address, count in writes.withLock { $0.append("\(area) \(address) \(count)") } }
        let server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), framing: .socket, store: store)
        try await server.start()
        let port = try #require(server.boundPort)
        let client = try PeerProcess(executable: PythonPeer.python(), arguments: ["-c", Self.pymodbusClient, String(port)],
                                     logFile: scratch.appendingPathComponent("client.log"))
        #expect(await waitUntil(timeout: 30) { !client.isRunning })
        let output = client.output()
        #expect(output.contains("HR [100, 101, 102, 103]"), "\(output)")
        #expect(output.contains("IR [200, 201]"))
        #expect(output.contains("CO [True, False, True]"))
        #expect(output.contains("DI [False, True, True]"))
        for write in ["W1", "W2", "W3", "W4"] { #expect(output.contains("\(write) False"), "\(write)") }
        #expect(output.contains("EX 2"))
        #expect(output.contains("DONE"))
        #expect(try store.readRegisters(.holdingRegisters, unitId: 1, address: 0, count: 7) == [100, 101, 777, 103, 0, 5, 6])
        #expect(try store.readBits(.coils, unitId: 1, address: 0, count: 5) == [true, true, true, true, true])
        #expect(writes.withLock { $0 } == ["holdingRegisters 2 1", "holdingRegisters 5 2", "coils 1 1", "coils 3 2"])
        await server.stop()
    }

    @Test(arguments: ["tcp", "udp"])
    func ourClientAgainstOurServer(transport: String) async throws {
        let store = try Self.store()
        let endpoint: ModbusEndpoint = transport == "tcp" ? .tcp(host: "127.0.0.1", port: 0) : .udp(host: "127.0.0.1", port: 0)
        let server = ModbusServer(endpoint: endpoint, framing: .socket, store: store)
        try await server.start()
        let port = try #require(server.boundPort)
        let client = ModbusClient(endpoint: transport == "tcp" ? .tcp(host: "127.0.0.1", port: port)
                                                               : .udp(host: "127.0.0.1", port: port), framing: .socket)
        try await client.connect(timeout: .seconds(2))
        #expect(try await client.send(.readInputRegisters(address: 0, count: 2), unitId: 1, timeout: .seconds(2))
                == .registers([200, 201]))
        #expect(try await client.send(.writeMultipleCoils(address: 5, values: [true, true, true]), unitId: 1,
                                      timeout: .seconds(2)) == .writeAcknowledged)
        #expect(try await client.send(.readCoils(address: 0, count: 8), unitId: 1, timeout: .seconds(2))
                == .bits([true, false, true, false, false, true, true, true]))
        await #expect(throws: ModbusException(function: 15, code: .illegalDataAddress)) {
            try await client.send(.writeMultipleCoils(address: 7, values: [true, true]), unitId: 1, timeout: .seconds(2))
        }
        // A unit the store does not serve gets no answer at all.
        await #expect(throws: ModbusClientError.timeout) {
            try await client.send(.readCoils(address: 0, count: 1), unitId: 2, timeout: .milliseconds(200))
        }
        await client.close()
        await server.stop()
    }

    @Test func pipelinedRequestsAreMatchedByTransactionId() async throws {
        let store = try Self.store()
        let server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), framing: .socket, store: store)
        try await server.start()
        let port = try #require(server.boundPort)
        let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: port), framing: .socket, maxRequestsInFlight: 8)
        try await client.connect(timeout: .seconds(2))
        try await withThrowingTaskGroup(of: (Int, ModbusResponse).self) { group in
            for index in 0..<40 {
                group.addTask {
                    let address = UInt16(index % 4)
                    return (index, try await client.send(.readHoldingRegisters(address: address, count: 1), unitId: 1,
                                                         timeout: .seconds(5)))
                }
            }
            for try await (index, response) in group {
                #expect(response == .registers([UInt16(100 + index % 4)]))
            }
        }
        await client.close()
        await server.stop()
    }

    @Test func stoppingTheServerClosesItsConnections() async throws {
        let server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), framing: .socket, store: try Self.store())
        try await server.start()
        let port = try #require(server.boundPort)
        let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: port), framing: .socket)
        try await client.connect(timeout: .seconds(2))
        #expect(try await client.send(.readCoils(address: 0, count: 1), unitId: 1, timeout: .seconds(2)) == .bits([true]))
        await server.stop()
        #expect(server.boundPort == nil)
        #expect(await waitUntil(timeout: 5) { await !client.isConnected })
        await #expect(throws: (any Error).self) { try await client.connect(timeout: .seconds(1)) }
    }

    @Test func storeWithoutUnitIdsAnswersEveryUnitAndChecksBounds() throws {
        let store = ModbusDataStore(holdingRegisters: 2)
        #expect(store.serves(unitId: 0) && store.serves(unitId: 247))
        #expect(try store.handle(.writeSingleRegister(address: 1, value: 9), unitId: 5) == .writeAcknowledged)
        #expect(try store.handle(.readHoldingRegisters(address: 0, count: 2), unitId: 6) == .registers([0, 9]))
        #expect(throws: ModbusException(function: 3, code: .illegalDataAddress)) {
            try store.handle(.readHoldingRegisters(address: 1, count: 2), unitId: 1)
        }
        #expect(throws: ModbusException(function: 1, code: .illegalDataAddress)) {
            try store.handle(.readCoils(address: 0, count: 1), unitId: 1)
        }
        #expect(throws: ModbusException(function: 4, code: .illegalDataAddress)) {
            try store.handle(.readInputRegisters(address: 0, count: 1), unitId: 1)
        }
    }
}

/// Our UDP client against pymodbus's UDP server.
@Suite struct ClientPymodbusUDPTests {
    @Test func readsAndWritesOverUDP() async throws {
        let scratch = try makeScratchDirectory("modbus-client-udp")
        let (server, port) = try await ModbusPeer.startNetworkServer(mode: "udp", in: scratch)
        defer { server.stop() }
        let client = ModbusClient(endpoint: .udp(host: "127.0.0.1", port: port), framing: .socket)
        try await client.connect(timeout: .seconds(2))
        #expect(try await client.send(.readHoldingRegisters(address: 0, count: 2), unitId: 1, timeout: .seconds(5))
                == .registers([100, 101]))
        #expect(try await client.send(.writeSingleRegister(address: 1, value: 5), unitId: 1, timeout: .seconds(5))
                == .writeAcknowledged)
        #expect(try await client.send(.readHoldingRegisters(address: 0, count: 2), unitId: 1, timeout: .seconds(5))
                == .registers([100, 5]))
        await client.close()
    }
}
