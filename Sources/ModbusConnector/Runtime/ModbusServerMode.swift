import GatewayKit
import Logging
import Modbus

/// The `slave` section: the gateway serves registers initialised from `values` on its own
/// endpoint, and reports them to ThingsBoard as the device `deviceName` — started whenever the
/// section is present (the reference needs `sendDataToThingsBoard`). Shared attributes and RPCs
/// of that device write into the registers, as writes from Modbus clients do.
struct ModbusServerMode: Sendable {
    let store: ModbusDataStore
    let server: ModbusServer
    let sender: ModbusStoreSender
    let configuration: ModbusServerConfiguration

    init(configuration: ModbusServerConfiguration, logger: Logger) throws {
        let areas = configuration.initialAreas()
        store = ModbusDataStore(unitIds: nil, coils: areas.coils.count, discreteInputs: areas.discreteInputs.count,
                                holdingRegisters: areas.holdingRegisters.count, inputRegisters: areas.inputRegisters.count)
        let unit = configuration.unitId
        if !areas.coils.isEmpty { try store.write(.coils, unitId: unit, address: 0, bits: areas.coils) }
        if !areas.discreteInputs.isEmpty { try store.write(.discreteInputs, unitId: unit, address: 0, bits: areas.discreteInputs) }
        if !areas.holdingRegisters.isEmpty {
            try store.write(.holdingRegisters, unitId: unit, address: 0, registers: areas.holdingRegisters)
        }
        if !areas.inputRegisters.isEmpty {
            try store.write(.inputRegisters, unitId: unit, address: 0, registers: areas.inputRegisters)
        }
        let connection = configuration.connection
        server = ModbusServer(endpoint: connection.endpoint, framing: connection.modbusFraming, store: store,
                              tls: try connection.serverTLSContext(), logger: logger)
        sender = ModbusStoreSender(store: store)
        self.configuration = configuration
    }

    func start() async throws { try await server.start() }
    func stop() async { await server.stop() }
}

/// Requests of the server's own device go straight to its store: no socket, same answers.
struct ModbusStoreSender: ModbusRequestSender {
    let store: ModbusDataStore

    nonisolated(nonsending) func send(_ request: ModbusRequest, unitId: UInt8, timeout: Duration, retries: Int) async throws -> ModbusResponse {
        try store.handle(request, unitId: unitId)
    }

    var isUp: Bool { get async { true } }
}
