import Modbus
import Testing
import TestSupport

/// A device, a noisy serial line or anything on port 502 can send any bytes: every framer, and the
/// PDU decoders behind it, returns a frame, waits for more or throws, never traps, and never
/// loops without consuming input. Inputs are seeded mutations of valid frames, split at random as
/// reads would deliver them, so a failure names a replayable case.
@Suite("Modbus framers against mutated streams")
struct FramerRobustnessTests {
    static let requests = ["03 00 00 00 04", "01 00 10 00 13", "02 00 00 00 08", "04 00 05 00 01", "05 00 01 ff 00",
                           "06 00 02 12 34", "0f 00 00 00 0a 02 ff 03", "10 00 00 00 02 04 00 01 00 02"].map(hex)
    static let responses = ["03 08 00 65 00 65 00 66 00 67", "01 03 cd 6b 05", "02 01 ac", "04 02 00 0a", "83 02",
                            "05 00 01 ff 00", "06 00 02 12 34", "0f 00 00 00 0a", "10 00 00 00 02"].map(hex)
    /// What a client may have asked when a response arrives.
    static let askedFor: [ModbusRequest] = [
        .readHoldingRegisters(address: 0, count: 4), .readCoils(address: 16, count: 19),
        .readDiscreteInputs(address: 0, count: 8), .readInputRegisters(address: 5, count: 1),
        .writeSingleCoil(address: 1, value: true), .writeSingleRegister(address: 2, value: 0x1234),
        .writeMultipleCoils(address: 0, values: Array(repeating: true, count: 10)),
        .writeMultipleRegisters(address: 0, values: [1, 2]),
    ]

    @Test func mbapServer() { exercise(MBAPFramer(), role: .server, seed: 1) }
    @Test func mbapClient() { exercise(MBAPFramer(), role: .client, seed: 2) }
    @Test func rtuServer() { exercise(RTUFramer(role: .server), role: .server, seed: 3) }
    @Test func rtuClient() { exercise(RTUFramer(role: .client), role: .client, seed: 4) }
    @Test func asciiServer() { exercise(ASCIIFramer(), role: .server, seed: 5) }
    @Test func asciiClient() { exercise(ASCIIFramer(), role: .client, seed: 6) }

    private func exercise<Framer: ModbusFramer>(_ template: Framer, role: ModbusFrameRole, seed: UInt64) {
        var mutator = ByteMutator(seed: 0x4D42_0000 | seed)
        let pdus = role == .server ? Self.requests : Self.responses
        let frames = pdus.enumerated().map { index, pdu in
            template.encode(ModbusADU(unitId: UInt8(index % 3), transactionId: UInt16(index), pdu: pdu))
        }
        var framesSeen = 0
        for iteration in 0..<30_000 {
            var stream: [UInt8] = []
            for _ in 0...mutator.below(3) { stream += frames[mutator.below(frames.count)] }
            let input = mutator.mutate(stream)
            var framer = template
            let progressed = mutator.feed(input, stopAtFailure: false, append: { framer.append($0) }) {
                do {
                    guard let adu = try framer.nextFrame() else { return .needsMore }
                    framesSeen += 1
                    decode(adu.pdu, role: role)
                    return .produced
                } catch {
                    return .failed  // Reported; the framer carries on with the bytes after it.
                }
            }
            guard progressed else {
                Issue.record("iteration \(iteration): the framer keeps returning without consuming \(input)")
                return
            }
            if mutator.below(2) == 0 { try? framer.lineWasSilent() }
        }
        #expect(framesSeen > 5_000, "the mutations should leave many frames intact")
    }

    private func decode(_ pdu: [UInt8], role: ModbusFrameRole) {
        switch role {
        case .server:
            _ = try? ModbusRequest.decode(pdu: pdu)
        case .client:
            for request in Self.askedFor { _ = try? ModbusResponse.decode(pdu: pdu, for: request) }
        }
    }
}
