import Synchronization

/// The four Modbus data areas.
public enum ModbusDataArea: Sendable, Hashable, CaseIterable {
    case coils, discreteInputs, holdingRegisters, inputRegisters
}

/// A server's data: four areas starting at address 0, sized by the caller, one set per unit id
/// (or one shared set answering any unit). Thread-safe; the gateway writes shared attributes into
/// it while the server serves clients. Out-of-range access is an `illegalDataAddress` exception.
public final class ModbusDataStore: Sendable {
    struct Areas: Sendable {
        var coils: [Bool]
        var discreteInputs: [Bool]
        var holdingRegisters: [UInt16]
        var inputRegisters: [UInt16]
    }

    /// Unit ids served; nil answers every unit from one shared set.
    public let unitIds: Set<UInt8>?
    private let units: Mutex<[UInt8: Areas]>
    private let onWrite: (@Sendable (ModbusDataArea, UInt16, Int) -> Void)?

    /// - Parameters:
    ///   - unitIds: units served (each gets its own zeroed areas); nil = one set answering any unit.
    ///   - onWrite: called after a client's write (not after `write` calls by the owner), outside the lock,
    ///     with the area, first address and count.
    public init(unitIds: Set<UInt8>? = nil, coils: Int = 0, discreteInputs: Int = 0, holdingRegisters: Int = 0,
                inputRegisters: Int = 0, onWrite: (@Sendable (ModbusDataArea, UInt16, Int) -> Void)? = nil) {
        let blank = Areas(coils: Array(repeating: false, count: min(coils, 0x10000)),
                          discreteInputs: Array(repeating: false, count: min(discreteInputs, 0x10000)),
                          holdingRegisters: Array(repeating: 0, count: min(holdingRegisters, 0x10000)),
                          inputRegisters: Array(repeating: 0, count: min(inputRegisters, 0x10000)))
        self.unitIds = unitIds
        let keys = unitIds.map(Array.init) ?? [Self.sharedKey]
        self.units = Mutex(Dictionary(uniqueKeysWithValues: keys.map { ($0, blank) }))
        self.onWrite = onWrite
    }

    /// The key of the shared set when `unitIds` is nil.
    private static let sharedKey: UInt8 = 0

    public func serves(unitId: UInt8) -> Bool {
        unitIds?.contains(unitId) ?? true
    }

    private func key(_ unitId: UInt8, function: UInt8) throws(ModbusException) -> UInt8 {
        guard let unitIds else { return Self.sharedKey }
        guard unitIds.contains(unitId) else { throw ModbusException(function: function, code: .gatewayPathUnavailable) }
        return unitId
    }

    private static func check(_ address: UInt16, _ count: Int, size: Int, function: UInt8) throws(ModbusException) {
        guard count >= 0, Int(address) + count <= size else {
            throw ModbusException(function: function, code: .illegalDataAddress)
        }
    }

    public func readBits(_ area: ModbusDataArea, unitId: UInt8, address: UInt16, count: Int) throws(ModbusException) -> [Bool] {
        let function: UInt8 = area == .coils ? 1 : 2
        let key = try key(unitId, function: function)
        return try units.withLock { units throws(ModbusException) -> [Bool] in
            let values: [Bool]
            switch area {
            case .coils: values = units[key]!.coils
            case .discreteInputs: values = units[key]!.discreteInputs
            case .holdingRegisters, .inputRegisters: throw ModbusException(function: function, code: .illegalDataAddress)
            }
            try Self.check(address, count, size: values.count, function: function)
            return Array(values[Int(address)..<(Int(address) + count)])
        }
    }

    public func readRegisters(_ area: ModbusDataArea, unitId: UInt8, address: UInt16, count: Int) throws(ModbusException) -> [UInt16] {
        let function: UInt8 = area == .inputRegisters ? 4 : 3
        let key = try key(unitId, function: function)
        return try units.withLock { units throws(ModbusException) -> [UInt16] in
            let values: [UInt16]
            switch area {
            case .holdingRegisters: values = units[key]!.holdingRegisters
            case .inputRegisters: values = units[key]!.inputRegisters
            case .coils, .discreteInputs: throw ModbusException(function: function, code: .illegalDataAddress)
            }
            try Self.check(address, count, size: values.count, function: function)
            return Array(values[Int(address)..<(Int(address) + count)])
        }
    }

    /// Owner's write (any area, including the read-only ones for clients); `onWrite` is not called.
    public func write(_ area: ModbusDataArea, unitId: UInt8, address: UInt16, bits: [Bool]) throws(ModbusException) {
        let function: UInt8 = 15
        let key = try key(unitId, function: function)
        try units.withLock { units throws(ModbusException) in
            switch area {
            case .coils:
                try Self.check(address, bits.count, size: units[key]!.coils.count, function: function)
                units[key]!.coils.replaceSubrange(Int(address)..<(Int(address) + bits.count), with: bits)
            case .discreteInputs:
                try Self.check(address, bits.count, size: units[key]!.discreteInputs.count, function: function)
                units[key]!.discreteInputs.replaceSubrange(Int(address)..<(Int(address) + bits.count), with: bits)
            case .holdingRegisters, .inputRegisters:
                throw ModbusException(function: function, code: .illegalDataAddress)
            }
        }
    }

    /// Owner's write of registers (holding or input); `onWrite` is not called.
    public func write(_ area: ModbusDataArea, unitId: UInt8, address: UInt16, registers: [UInt16]) throws(ModbusException) {
        let function: UInt8 = 16
        let key = try key(unitId, function: function)
        try units.withLock { units throws(ModbusException) in
            switch area {
            case .holdingRegisters:
                try Self.check(address, registers.count, size: units[key]!.holdingRegisters.count, function: function)
                units[key]!.holdingRegisters.replaceSubrange(Int(address)..<(Int(address) + registers.count), with: registers)
            case .inputRegisters:
                try Self.check(address, registers.count, size: units[key]!.inputRegisters.count, function: function)
                units[key]!.inputRegisters.replaceSubrange(Int(address)..<(Int(address) + registers.count), with: registers)
            case .coils, .discreteInputs:
                throw ModbusException(function: function, code: .illegalDataAddress)
            }
        }
    }

    /// Serves one client request: reads, or writes to coils / holding registers followed by `onWrite`.
    public func handle(_ request: ModbusRequest, unitId: UInt8) throws(ModbusException) -> ModbusResponse {
        let function = request.functionCode.rawValue
        do {
            switch request {
            case .readCoils(let address, let count):
                return .bits(try readBits(.coils, unitId: unitId, address: address, count: Int(count)))
            case .readDiscreteInputs(let address, let count):
                return .bits(try readBits(.discreteInputs, unitId: unitId, address: address, count: Int(count)))
            case .readHoldingRegisters(let address, let count):
                return .registers(try readRegisters(.holdingRegisters, unitId: unitId, address: address, count: Int(count)))
            case .readInputRegisters(let address, let count):
                return .registers(try readRegisters(.inputRegisters, unitId: unitId, address: address, count: Int(count)))
            case .writeSingleCoil(let address, let value):
                try write(.coils, unitId: unitId, address: address, bits: [value])
                onWrite?(.coils, address, 1)
            case .writeMultipleCoils(let address, let values):
                try write(.coils, unitId: unitId, address: address, bits: values)
                onWrite?(.coils, address, values.count)
            case .writeSingleRegister(let address, let value):
                try write(.holdingRegisters, unitId: unitId, address: address, registers: [value])
                onWrite?(.holdingRegisters, address, 1)
            case .writeMultipleRegisters(let address, let values):
                try write(.holdingRegisters, unitId: unitId, address: address, registers: values)
                onWrite?(.holdingRegisters, address, values.count)
            }
            return .writeAcknowledged
        } catch {
            throw ModbusException(function: function, code: error.code)
        }
    }
}
