/// One request a client sends; also what a server decodes.
public enum ModbusRequest: Sendable, Equatable {
    case readCoils(address: UInt16, count: UInt16)
    case readDiscreteInputs(address: UInt16, count: UInt16)
    case readHoldingRegisters(address: UInt16, count: UInt16)
    case readInputRegisters(address: UInt16, count: UInt16)
    case writeSingleCoil(address: UInt16, value: Bool)
    case writeSingleRegister(address: UInt16, value: UInt16)
    case writeMultipleCoils(address: UInt16, values: [Bool])
    case writeMultipleRegisters(address: UInt16, values: [UInt16])

    /// Function codes 5, 6, 15 and 16: the only requests that may be broadcast (unit 0) on a
    /// serial line.
    public var isWrite: Bool {
        switch self {
        case .readCoils, .readDiscreteInputs, .readHoldingRegisters, .readInputRegisters: false
        case .writeSingleCoil, .writeSingleRegister, .writeMultipleCoils, .writeMultipleRegisters: true
        }
    }

    public var functionCode: ModbusFunctionCode {
        switch self {
        case .readCoils: .readCoils
        case .readDiscreteInputs: .readDiscreteInputs
        case .readHoldingRegisters: .readHoldingRegisters
        case .readInputRegisters: .readInputRegisters
        case .writeSingleCoil: .writeSingleCoil
        case .writeSingleRegister: .writeSingleRegister
        case .writeMultipleCoils: .writeMultipleCoils
        case .writeMultipleRegisters: .writeMultipleRegisters
        }
    }

    /// The first address the request touches.
    public var address: UInt16 {
        switch self {
        case .readCoils(let address, _), .readDiscreteInputs(let address, _),
             .readHoldingRegisters(let address, _), .readInputRegisters(let address, _),
             .writeSingleCoil(let address, _), .writeSingleRegister(let address, _),
             .writeMultipleCoils(let address, _), .writeMultipleRegisters(let address, _):
            address
        }
    }

    /// How many bits or registers the request touches.
    public var count: Int {
        switch self {
        case .readCoils(_, let count), .readDiscreteInputs(_, let count),
             .readHoldingRegisters(_, let count), .readInputRegisters(_, let count):
            Int(count)
        case .writeSingleCoil, .writeSingleRegister: 1
        case .writeMultipleCoils(_, let values): values.count
        case .writeMultipleRegisters(_, let values): values.count
        }
    }

    /// Checks the quantity limits and that the range stays inside the 16-bit address space.
    public func validate() throws(ModbusCodecError) {
        let limits: ClosedRange<Int>
        switch self {
        case .readCoils, .readDiscreteInputs: limits = ModbusLimits.readBits
        case .readHoldingRegisters, .readInputRegisters: limits = ModbusLimits.readRegisters
        case .writeSingleCoil, .writeSingleRegister: limits = 1...1
        case .writeMultipleCoils: limits = ModbusLimits.writeCoils
        case .writeMultipleRegisters: limits = ModbusLimits.writeRegisters
        }
        guard limits.contains(count) else {
            throw ModbusCodecError("\(functionCode): count \(count) is outside \(limits.lowerBound)...\(limits.upperBound)")
        }
        guard Int(address) + count <= 0x10000 else {
            throw ModbusCodecError("\(functionCode): address \(address) + count \(count) passes the end of the address space (65535)")
        }
    }

    /// The request PDU (function code + data). Throws when a count is out of range.
    public func encodePDU() throws(ModbusCodecError) -> [UInt8] {
        try validate()
        var pdu: [UInt8] = [functionCode.rawValue]
        pdu.appendBigEndian(address)
        switch self {
        case .readCoils(_, let count), .readDiscreteInputs(_, let count),
             .readHoldingRegisters(_, let count), .readInputRegisters(_, let count):
            pdu.appendBigEndian(count)
        case .writeSingleCoil(_, let value):
            pdu.appendBigEndian(value ? 0xFF00 : 0x0000)
        case .writeSingleRegister(_, let value):
            pdu.appendBigEndian(value)
        case .writeMultipleCoils(_, let values):
            pdu.appendBigEndian(UInt16(values.count))
            let packed = ModbusBits.pack(values)
            pdu.append(UInt8(packed.count))
            pdu.append(contentsOf: packed)
        case .writeMultipleRegisters(_, let values):
            pdu.appendBigEndian(UInt16(values.count))
            pdu.append(UInt8(values.count * 2))
            for value in values { pdu.appendBigEndian(value) }
        }
        return pdu
    }

    /// Server side: decodes a request PDU. Refusals are the exception a server answers with
    /// (unknown function -> illegal function, bad quantity or length -> illegal data value,
    /// range past 65535 -> illegal data address).
    public static func decode<C: Collection>(pdu: C) throws(ModbusException) -> ModbusRequest
    where C.Element == UInt8, C.Index == Int {
        let bytes = Array(pdu)
        guard let first = bytes.first else { throw ModbusException(function: 0, code: .illegalFunction) }
        guard let function = ModbusFunctionCode(rawValue: first) else {
            throw ModbusException(function: first, code: .illegalFunction)
        }
        let invalid = ModbusException(function: first, code: .illegalDataValue)
        guard bytes.count >= 5 else { throw invalid }
        let address = bytes.bigEndianUInt16(at: 1)
        let word = bytes.bigEndianUInt16(at: 3)
        let request: ModbusRequest
        switch function {
        case .readCoils, .readDiscreteInputs, .readHoldingRegisters, .readInputRegisters:
            guard bytes.count == 5 else { throw invalid }
            switch function {
            case .readCoils: request = .readCoils(address: address, count: word)
            case .readDiscreteInputs: request = .readDiscreteInputs(address: address, count: word)
            case .readHoldingRegisters: request = .readHoldingRegisters(address: address, count: word)
            default: request = .readInputRegisters(address: address, count: word)
            }
        case .writeSingleCoil:
            guard bytes.count == 5, word == 0xFF00 || word == 0 else { throw invalid }
            request = .writeSingleCoil(address: address, value: word == 0xFF00)
        case .writeSingleRegister:
            guard bytes.count == 5 else { throw invalid }
            request = .writeSingleRegister(address: address, value: word)
        case .writeMultipleCoils:
            let count = Int(word)
            guard bytes.count >= 6, ModbusLimits.writeCoils.contains(count),
                  Int(bytes[5]) == (count + 7) / 8, bytes.count == 6 + Int(bytes[5]) else { throw invalid }
            request = .writeMultipleCoils(address: address, values: ModbusBits.unpack(bytes[6...], count: count))
        case .writeMultipleRegisters:
            let count = Int(word)
            guard bytes.count >= 6, ModbusLimits.writeRegisters.contains(count),
                  Int(bytes[5]) == count * 2, bytes.count == 6 + count * 2 else { throw invalid }
            request = .writeMultipleRegisters(
                address: address, values: (0..<count).map { bytes.bigEndianUInt16(at: 6 + 2 * $0) })
        }
        do {
            try request.validate()
        } catch {
            let countOK: Bool
            switch function {
            case .readCoils, .readDiscreteInputs: countOK = ModbusLimits.readBits.contains(request.count)
            case .readHoldingRegisters, .readInputRegisters: countOK = ModbusLimits.readRegisters.contains(request.count)
            default: countOK = true
            }
            throw ModbusException(function: first, code: countOK ? .illegalDataAddress : .illegalDataValue)
        }
        return request
    }
}

/// Bit packing: LSB-first within each byte, the first bit in the lowest bit of the first byte.
enum ModbusBits {
    static func pack(_ bits: [Bool]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: (bits.count + 7) / 8)
        for (index, bit) in bits.enumerated() where bit {
            bytes[index >> 3] |= 1 << UInt8(index & 7)
        }
        return bytes
    }

    static func unpack<C: Collection>(_ bytes: C, count: Int) -> [Bool] where C.Element == UInt8 {
        var bits: [Bool] = []
        bits.reserveCapacity(count)
        for byte in bytes {
            for bit in 0..<8 where bits.count < count {
                bits.append(byte & (1 << UInt8(bit)) != 0)
            }
        }
        return bits
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt16) {
        append(UInt8(value >> 8))
        append(UInt8(value & 0xFF))
    }

    func bigEndianUInt16(at index: Int) -> UInt16 {
        UInt16(self[index]) << 8 | UInt16(self[index + 1])
    }
}
