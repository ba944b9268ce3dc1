/// A successful reply, already checked against the request it answers.
public enum ModbusResponse: Sendable, Equatable {
    /// Coils or discrete inputs: exactly the requested count (padding bits dropped).
    case bits([Bool])
    /// Holding or input registers: exactly the requested count.
    case registers([UInt16])
    /// A write was echoed back correctly.
    case writeAcknowledged

    /// Client side: decodes `pdu` as the reply to `request`. An exception reply throws
    /// `ModbusException`; a reply that does not fit the request throws `ModbusCodecError`.
    public static func decode(pdu: [UInt8], for request: ModbusRequest) throws -> ModbusResponse {
        let function = request.functionCode.rawValue
        guard let first = pdu.first else { throw ModbusCodecError("empty response PDU") }
        if first == function | 0x80 {
            guard pdu.count == 2 else {
                throw ModbusCodecError("exception response must be 2 bytes, got \(pdu.hexDump)")
            }
            throw ModbusException(function: function, code: ModbusExceptionCode(rawValue: pdu[1]))
        }
        guard first == function else {
            throw ModbusCodecError("response function code \(first) does not answer request function \(function): \(pdu.hexDump)")
        }
        switch request {
        case .readCoils(_, let count), .readDiscreteInputs(_, let count):
            let expected = (Int(count) + 7) / 8
            guard pdu.count >= 2, Int(pdu[1]) == expected, pdu.count == 2 + expected else {
                throw ModbusCodecError("reading \(count) bits needs byte count \(expected), got \(pdu.hexDump)")
            }
            return .bits(ModbusBits.unpack(pdu[2...], count: Int(count)))
        case .readHoldingRegisters(_, let count), .readInputRegisters(_, let count):
            let expected = Int(count) * 2
            guard pdu.count >= 2, Int(pdu[1]) == expected, pdu.count == 2 + expected else {
                throw ModbusCodecError("reading \(count) registers needs byte count \(expected), got \(pdu.hexDump)")
            }
            return .registers((0..<Int(count)).map { pdu.bigEndianUInt16(at: 2 + 2 * $0) })
        case .writeSingleCoil, .writeSingleRegister, .writeMultipleCoils, .writeMultipleRegisters:
            // Single writes echo the request; multiple writes echo address and quantity.
            let echo = Array(try request.encodePDU().prefix(5))
            guard pdu == echo else {
                throw ModbusCodecError("write reply \(pdu.hexDump) does not echo the request \(echo.hexDump)")
            }
            return .writeAcknowledged
        }
    }

    /// Server side: the reply PDU for `request`. Reads must carry exactly the requested count.
    public static func encodePDU(_ response: ModbusResponse, for request: ModbusRequest) throws(ModbusCodecError) -> [UInt8] {
        let function = request.functionCode.rawValue
        switch (response, request) {
        case (.bits(let bits), .readCoils(_, let count)), (.bits(let bits), .readDiscreteInputs(_, let count)):
            guard bits.count == Int(count) else {
                throw ModbusCodecError("reply has \(bits.count) bits for a request of \(count)")
            }
            let packed = ModbusBits.pack(bits)
            return [function, UInt8(packed.count)] + packed
        case (.registers(let registers), .readHoldingRegisters(_, let count)),
             (.registers(let registers), .readInputRegisters(_, let count)):
            guard registers.count == Int(count) else {
                throw ModbusCodecError("reply has \(registers.count) registers for a request of \(count)")
            }
            var pdu: [UInt8] = [function, UInt8(registers.count * 2)]
            pdu.reserveCapacity(2 + registers.count * 2)
            for register in registers { pdu.appendBigEndian(register) }
            return pdu
        case (.writeAcknowledged, .writeSingleCoil), (.writeAcknowledged, .writeSingleRegister),
             (.writeAcknowledged, .writeMultipleCoils), (.writeAcknowledged, .writeMultipleRegisters):
            return Array(try request.encodePDU().prefix(5))
        default:
            throw ModbusCodecError("reply \(response) does not fit request \(request)")
        }
    }
}
