import Modbus
import Testing

/// Each framer: golden frames, every split across reads, garbage rejected with an error and the
/// framer carrying on with the next good frame.
@Suite struct MBAPFramerTests {
    let readRequest = hex("00 01 00 00 00 06 01 03 00 00 00 04")
    let exception = hex("00 01 00 00 00 03 ff 83 02")
    let reply = hex("12 34 00 00 00 0b 01 03 08 00 65 00 65 00 66 00 67")

    @Test func goldenFramesDecodeUnderEverySplit() {
        expectSplitInvariant(MBAPFramer(), readRequest + exception + reply, [
            .frame(unit: 1, transaction: 1, pdu: hex("03 00 00 00 04")),
            .frame(unit: 0xFF, transaction: 1, pdu: hex("83 02")),
            .frame(unit: 1, transaction: 0x1234, pdu: hex("03 08 00 65 00 65 00 66 00 67")),
        ])
    }

    @Test func exceptionFrameIsIllegalDataAddress() throws {
        var framer = MBAPFramer()
        framer.append(exception)
        let adu = try #require(try framer.nextFrame())
        #expect(throws: ModbusException(function: 3, code: .illegalDataAddress)) {
            try ModbusResponse.decode(pdu: adu.pdu, for: .readHoldingRegisters(address: 0, count: 1))
        }
    }

    @Test func encodesWhatItDecodes() {
        #expect(MBAPFramer().encode(ModbusADU(unitId: 1, transactionId: 1, pdu: hex("03 00 00 00 04"))) == readRequest)
    }

    @Test func wrongProtocolIdSkipsThatFrameOnly() {
        let foreign = hex("00 07 00 01 00 06 01 03 00 00 00 04")
        expectSplitInvariant(MBAPFramer(), foreign + exception, [
            .error, .frame(unit: 0xFF, transaction: 1, pdu: hex("83 02")),
        ])
        let result = run(MBAPFramer(), chunks: [foreign])
        #expect(result.messages.first?.contains("protocol id 1") == true)
    }

    @Test func impossibleLengthDropsTheStreamThenFramesAgain() {
        for length in ["00 00", "00 01", "00 ff", "ff ff"] {
            let bad = hex("00 01 00 00 \(length) 01 03 00 00")
            let result = run(MBAPFramer(), chunks: [bad, exception])
            #expect(result.outputs == [.error, .frame(unit: 0xFF, transaction: 1, pdu: hex("83 02"))], "\(length)")
            #expect(result.messages.first?.contains("MBAP length") == true)
        }
    }
}

@Suite struct RTUFramerTests {
    let request = hex("01 03 00 00 00 04 44 09")
    let reply = hex("01 03 08 00 65 00 65 00 66 00 67 4d 2c")

    func rtu(_ bytes: String) -> [UInt8] {
        RTUFramer(role: .client).encode(ModbusADU(unitId: hex(bytes)[0], pdu: Array(hex(bytes).dropFirst())))
    }

    @Test func clientSideFramesEveryReplyShapeUnderEverySplit() {
        let replies = [
            "01 03 08 00 65 00 65 00 66 00 67", "11 01 03 cd 6b 05", "02 83 02", "01 05 00 ac ff 00",
            "01 06 00 01 00 03", "01 0f 00 13 00 0a", "01 10 00 01 00 02", "01 04 02 00 0a",
        ]
        let stream = replies.flatMap { rtu($0) }
        #expect(Array(stream.prefix(13)) == reply)
        expectSplitInvariant(RTUFramer(role: .client), stream, replies.map {
            .frame(unit: hex($0)[0], transaction: 0, pdu: Array(hex($0).dropFirst()))
        })
    }

    @Test func serverSideFramesEveryRequestShapeUnderEverySplit() {
        let requests = [
            "01 03 00 00 00 04", "01 01 00 13 00 13", "01 05 00 ac ff 00", "01 06 00 01 00 03",
            "01 0f 00 13 00 0a 02 cd 01", "01 10 00 01 00 02 04 00 0a 01 02", "07 02 00 c4 00 16",
        ]
        let stream = requests.flatMap { rtu($0) }
        #expect(Array(stream.prefix(8)) == request)
        expectSplitInvariant(RTUFramer(role: .server), stream, requests.map {
            .frame(unit: hex($0)[0], transaction: 0, pdu: Array(hex($0).dropFirst()))
        })
    }

    @Test func badCRCIsReportedOnceAndTheNextFrameStillArrives() {
        var corrupted = reply
        corrupted[5] ^= 0x01
        let result = run(RTUFramer(role: .client), chunks: [corrupted + reply])
        #expect(result.outputs == [.error, .frame(unit: 1, transaction: 0, pdu: Array(reply.dropFirst().dropLast(2)))])
        #expect(result.messages.first?.contains("CRC mismatch") == true)
        expectSplitInvariant(RTUFramer(role: .client), corrupted + reply,
                             [.error, .frame(unit: 1, transaction: 0, pdu: Array(reply.dropFirst().dropLast(2)))])
    }

    @Test func unknownFunctionCodeIsAnErrorNotACrash() {
        let result = run(RTUFramer(role: .client), chunks: [hex("01 63 00 00") + reply])
        #expect(result.outputs.first == .error)
        #expect(result.messages.first?.contains("unknown function code 99") == true)
        #expect(result.outputs.last == .frame(unit: 1, transaction: 0, pdu: Array(reply.dropFirst().dropLast(2))))
        let server = run(RTUFramer(role: .server), chunks: [hex("01 2b 0e 01 00") + request])
        #expect(server.outputs == [.error, .frame(unit: 1, transaction: 0, pdu: hex("03 00 00 00 04"))])
    }

    @Test func resetForgetsALateReply() {
        var framer = RTUFramer(role: .client)
        framer.append(reply.prefix(6))
        framer.reset()
        #expect(framer.bufferedByteCount == 0)
        framer.append(reply)
        #expect((try? framer.nextFrame())??.pdu == Array(reply.dropFirst().dropLast(2)))
    }
}

@Suite struct ASCIIFramerTests {
    let frame = ascii(":F7031389000A60\r\n")
    let second = ascii(":010300000004F8\r\n")

    @Test func framesUnderEverySplit() {
        expectSplitInvariant(ASCIIFramer(), frame + second, [
            .frame(unit: 0xF7, transaction: 0, pdu: hex("03 13 89 00 0a")),
            .frame(unit: 1, transaction: 0, pdu: hex("03 00 00 00 04")),
        ])
    }

    /// A line that only sends noise (no ':') is not buffered without end: beyond a frame's length
    /// it is dropped with an error, and the next frame still decodes.
    @Test func noiseWithoutAColonIsDroppedBeyondAFramesLength() throws {
        var framer = ASCIIFramer()
        framer.append(Array(repeating: UInt8(ascii: "x"), count: 400))
        #expect(try framer.nextFrame() == nil)
        framer.append(Array(repeating: UInt8(ascii: "x"), count: 400))
        #expect(throws: ModbusCodecError.self) { try framer.nextFrame() }
        #expect(framer.bufferedByteCount == 0)
        framer.append(frame)
        #expect(try framer.nextFrame()?.pdu == hex("03 13 89 00 0a"))
    }

    @Test func lowercaseHexIsAccepted() {
        let result = run(ASCIIFramer(), chunks: [ascii(":f7031389000a60\r\n")])
        #expect(result.outputs == [.frame(unit: 0xF7, transaction: 0, pdu: hex("03 13 89 00 0a"))])
    }

    @Test func badLRCBadHexAndNoiseAreErrorsAndFramingContinues() {
        let cases: [(String, String)] = [
            (":F7031389000A61\r\n", "LRC mismatch"),
            (":F70313Z9000A60\r\n", "not a hex digit"),
            (":F7031389000A6\r\n", "even number"),
            (":F7031389000A60\n", "CR LF"),
            ("xx", "skipped 2 bytes"),
            (":F703", "restarted"),
        ]
        for (bad, message) in cases {
            let input = ascii(bad) + second
            let expected: [FramerOutput] = [.error, .frame(unit: 1, transaction: 0, pdu: hex("03 00 00 00 04"))]
            expectSplitInvariant(ASCIIFramer(), input, expected)
            #expect(run(ASCIIFramer(), chunks: [input]).messages.first?.contains(message) == true, "\(bad)")
        }
    }

    @Test func runawayFrameWithoutCRLFIsDropped() {
        let runaway = ascii(":" + String(repeating: "0", count: 600))
        let result = run(ASCIIFramer(), chunks: [runaway, second])
        #expect(result.outputs.first == .error)
        #expect(result.outputs.last == .frame(unit: 1, transaction: 0, pdu: hex("03 00 00 00 04")))
    }
}
