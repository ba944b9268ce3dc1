import GatewayKit
import Modbus

/// Requests built from the model: a planned read, an item read, an encoded write.
extension ModbusRequest {
    /// A read with function code 1–4; nil for any other code.
    static func read(functionCode: UInt8, address: UInt16, count: UInt16) -> ModbusRequest? {
        switch functionCode {
        case 1: .readCoils(address: address, count: count)
        case 2: .readDiscreteInputs(address: address, count: count)
        case 3: .readHoldingRegisters(address: address, count: count)
        case 4: .readInputRegisters(address: address, count: count)
        default: nil
        }
    }

    static func write(_ payload: ModbusWritePayload, address: UInt16) -> ModbusRequest {
        switch payload {
        case .coil(let value): .writeSingleCoil(address: address, value: value)
        case .coils(let values): .writeMultipleCoils(address: address, values: values)
        case .register(let value): .writeSingleRegister(address: address, value: value)
        case .registers(let values): .writeMultipleRegisters(address: address, values: values)
        }
    }
}

extension ModbusValueFormat {
    /// Decodes a read response as this format says: registers for FC 3/4, bits for FC 1/2.
    func decode(_ response: ModbusResponse) -> JSONValue? {
        switch response {
        case .registers(let registers): decode(registers: registers[...])
        case .bits(let bits): decode(bits: bits[...])
        case .writeAcknowledged: nil
        }
    }

    /// How many registers (FC 3/4) or bits (FC 1/2) a read of this format takes.
    func readCount(functionCode: UInt8) -> Int {
        functionCode <= 2 ? bitCount : registerCount
    }
}
