import Modbus
import Testing

/// Golden PDUs from the Modbus Application Protocol specification v1.1b3 examples.
@Suite struct PDUTests {
    static let requestFixtures: [(ModbusRequest, String)] = [
        (.readCoils(address: 0x13, count: 0x13), "01 00 13 00 13"),
        (.readDiscreteInputs(address: 0xC4, count: 0x16), "02 00 c4 00 16"),
        (.readHoldingRegisters(address: 0x6B, count: 3), "03 00 6b 00 03"),
        (.readInputRegisters(address: 8, count: 1), "04 00 08 00 01"),
        (.writeSingleCoil(address: 0xAC, value: true), "05 00 ac ff 00"),
        (.writeSingleCoil(address: 0xAC, value: false), "05 00 ac 00 00"),
        (.writeSingleRegister(address: 1, value: 3), "06 00 01 00 03"),
        (.writeMultipleCoils(address: 0x13, values: [true, false, true, true, false, false, true, true, true, false]),
         "0f 00 13 00 0a 02 cd 01"),
        (.writeMultipleRegisters(address: 1, values: [0x000A, 0x0102]), "10 00 01 00 02 04 00 0a 01 02"),
    ]

    @Test func requestsEncodeToSpecBytes() throws {
        for (request, bytes) in Self.requestFixtures {
            #expect(try request.encodePDU() == hex(bytes), "\(request)")
        }
    }

    @Test func serverDecodesEveryRequest() throws {
        for (request, bytes) in Self.requestFixtures {
            #expect(try ModbusRequest.decode(pdu: hex(bytes)) == request)
        }
    }

    static let responseFixtures: [(ModbusRequest, String, ModbusResponse)] = [
        (.readCoils(address: 0x13, count: 19), "01 03 cd 6b 05",
         .bits([true, false, true, true, false, false, true, true,
                true, true, false, true, false, true, true, false,
                true, false, true])),
        (.readDiscreteInputs(address: 0xC4, count: 22), "02 03 ac db 35",
         .bits([false, false, true, true, false, true, false, true,
                true, true, false, true, true, false, true, true,
                true, false, true, false, true, true])),
        (.readHoldingRegisters(address: 0x6B, count: 3), "03 06 02 2b 00 00 00 64", .registers([0x022B, 0, 0x64])),
        (.readInputRegisters(address: 8, count: 1), "04 02 00 0a", .registers([10])),
        (.writeSingleCoil(address: 0xAC, value: true), "05 00 ac ff 00", .writeAcknowledged),
        (.writeSingleRegister(address: 1, value: 3), "06 00 01 00 03", .writeAcknowledged),
        (.writeMultipleCoils(address: 0x13, values: Array(repeating: true, count: 10)), "0f 00 13 00 0a", .writeAcknowledged),
        (.writeMultipleRegisters(address: 1, values: [10, 258]), "10 00 01 00 02", .writeAcknowledged),
    ]

    @Test func responsesDecodeAgainstTheirRequest() throws {
        for (request, bytes, response) in Self.responseFixtures {
            #expect(try ModbusResponse.decode(pdu: hex(bytes), for: request) == response, "\(request)")
        }
    }

    @Test func serverEncodesEveryResponse() throws {
        for (request, bytes, response) in Self.responseFixtures {
            #expect(try ModbusResponse.encodePDU(response, for: request) == hex(bytes), "\(request)")
        }
    }

    @Test func exceptionResponsesThrowTheirCode() {
        #expect(throws: ModbusException(function: 3, code: .illegalDataAddress)) {
            try ModbusResponse.decode(pdu: hex("83 02"), for: .readHoldingRegisters(address: 0, count: 1))
        }
        #expect(throws: ModbusException(function: 1, code: .gatewayTargetFailedToRespond)) {
            try ModbusResponse.decode(pdu: hex("81 0b"), for: .readCoils(address: 0, count: 1))
        }
        #expect(throws: ModbusException(function: 16, code: .other(0x42))) {
            try ModbusResponse.decode(pdu: hex("90 42"), for: .writeMultipleRegisters(address: 0, values: [1]))
        }
        #expect(ModbusException(function: 3, code: .illegalDataAddress).pdu == hex("83 02"))
        for raw: UInt8 in [1, 2, 3, 4, 5, 6, 10, 11, 7, 200] {
            #expect(ModbusExceptionCode(rawValue: raw).rawValue == raw)
        }
    }

    @Test func repliesThatDoNotFitTheRequestAreMalformed() {
        let cases: [(ModbusRequest, String)] = [
            (.readHoldingRegisters(address: 0, count: 2), "03 02 00 01"),           // one register short
            (.readHoldingRegisters(address: 0, count: 1), "04 02 00 01"),           // wrong function
            (.readCoils(address: 0, count: 9), "01 01 ff"),                         // 9 bits need 2 bytes
            (.readCoils(address: 0, count: 8), "01 01 ff 00"),                      // trailing byte
            (.writeSingleRegister(address: 5, value: 7), "06 00 05 00 08"),         // wrong echo
            (.readInputRegisters(address: 0, count: 1), "84 02 00"),                // long exception
            (.readInputRegisters(address: 0, count: 1), ""),
        ]
        for (request, bytes) in cases {
            #expect(throws: ModbusCodecError.self, "\(bytes)") {
                try ModbusResponse.decode(pdu: hex(bytes), for: request)
            }
        }
    }

    @Test func countsOutsideTheLimitsAreRefusedBeforeSending() {
        let invalid: [ModbusRequest] = [
            .readCoils(address: 0, count: 0), .readCoils(address: 0, count: 2001),
            .readDiscreteInputs(address: 0, count: 2001),
            .readHoldingRegisters(address: 0, count: 126), .readInputRegisters(address: 0, count: 0),
            .writeMultipleCoils(address: 0, values: []), .writeMultipleCoils(address: 0, values: Array(repeating: true, count: 1969)),
            .writeMultipleRegisters(address: 0, values: Array(repeating: 1, count: 124)),
            .readHoldingRegisters(address: 0xFFFF, count: 2),
        ]
        for request in invalid {
            #expect(throws: ModbusCodecError.self, "\(request)") { try request.encodePDU() }
        }
        #expect((try? ModbusRequest.readCoils(address: 0, count: 2000).encodePDU()) != nil)
        #expect((try? ModbusRequest.readHoldingRegisters(address: 0xFFFF, count: 1).encodePDU()) != nil)
        #expect((try? ModbusRequest.writeMultipleRegisters(address: 0, values: Array(repeating: 1, count: 123)).encodePDU()) != nil)
    }

    @Test func serverRefusesBadRequestsWithTheSpecException() {
        #expect(throws: ModbusException(function: 7, code: .illegalFunction)) { try ModbusRequest.decode(pdu: hex("07")) }
        #expect(throws: ModbusException(function: 3, code: .illegalDataValue)) {
            try ModbusRequest.decode(pdu: hex("03 00 00 00 7e"))       // 126 registers
        }
        #expect(throws: ModbusException(function: 3, code: .illegalDataValue)) {
            try ModbusRequest.decode(pdu: hex("03 00 00"))             // truncated
        }
        #expect(throws: ModbusException(function: 3, code: .illegalDataAddress)) {
            try ModbusRequest.decode(pdu: hex("03 ff ff 00 02"))       // past 65535
        }
        #expect(throws: ModbusException(function: 5, code: .illegalDataValue)) {
            try ModbusRequest.decode(pdu: hex("05 00 01 12 34"))       // coil value not ff00/0000
        }
        #expect(throws: ModbusException(function: 16, code: .illegalDataValue)) {
            try ModbusRequest.decode(pdu: hex("10 00 01 00 02 04 00 0a 01"))  // byte count lies
        }
    }
}
