/// The public function codes this stack speaks (Modbus Application Protocol v1.1b3, §6).
public enum ModbusFunctionCode: UInt8, Sendable, Hashable {
    case readCoils = 1
    case readDiscreteInputs = 2
    case readHoldingRegisters = 3
    case readInputRegisters = 4
    case writeSingleCoil = 5
    case writeSingleRegister = 6
    case writeMultipleCoils = 15
    case writeMultipleRegisters = 16
}

/// Limits from the specification: what fits in one 253-byte PDU.
public enum ModbusLimits {
    public static let readBits: ClosedRange<Int> = 1...2000
    public static let readRegisters: ClosedRange<Int> = 1...125
    public static let writeCoils: ClosedRange<Int> = 1...1968
    public static let writeRegisters: ClosedRange<Int> = 1...123
    /// A PDU is at most 253 bytes (256-byte RTU ADU minus unit id and CRC).
    public static let maxPDUSize = 253
}
