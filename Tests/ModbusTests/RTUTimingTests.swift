import Foundation
import Modbus
import NIOCore
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// RTU's silences: t3.5 from the line settings, a sender keeping t3.5 after the line's last byte,
/// a frame cut short by a silence dropped, and our client on a pty keeping the silence before
/// a request that follows a reply at once.
@Suite struct RTUTimingTests {
    @Test func silencesFollowTheLineSettings() {
        // 9600 8N1: 10 bits a character, 1.042 ms; t3.5 3.646 ms.
        let slow = RTULineTiming(ModbusSerialSettings(port: "x", baudRate: 9600))
        #expect(slow.characterTime == .nanoseconds(1_041_666))
        #expect(slow.interFrameSilence == .nanoseconds(3_645_831))
        #expect(slow.receiveGap == RTULineTiming.minimumReceiveGap)
        // 19200 8E1: 11 bits.
        let even = RTULineTiming(ModbusSerialSettings(port: "x", baudRate: 19200, parity: .even))
        #expect(even.characterTime == .nanoseconds(572_916))
        // 1200 8N2: 11 bits, 9.167 ms a character, t3.5 above the receive-gap floor.
        let crawl = RTULineTiming(ModbusSerialSettings(port: "x", baudRate: 1200, stopBits: 2))
        #expect(crawl.interFrameSilence == .nanoseconds(32_083_331))
        #expect(crawl.receiveGap == crawl.interFrameSilence)
        // Above 19200 baud the spec fixes t3.5 at 1.75 ms.
        #expect(RTULineTiming(ModbusSerialSettings(port: "x", baudRate: 115200)).interFrameSilence == .microseconds(1750))
        #expect(slow.transmitDuration(bytes: 8) == .nanoseconds(8 * 1_041_666))
    }

    @Test func aSenderWaitsForTheSilenceAfterTheLinesLastByte() {
        let timing = RTULineTiming(ModbusSerialSettings(port: "x", baudRate: 9600))
        var clock = RTULineClock(timing: timing)
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        #expect(clock.delayBeforeSending(at: start) == .zero, "an idle line is free")
        let first = clock.received(at: start)
        #expect(first, "the first bytes follow a silence")
        let second = clock.received(at: start + .milliseconds(1))
        #expect(!second, "1 ms later is the same frame")
        let afterReply = start + .milliseconds(1)
        #expect(clock.delayBeforeSending(at: afterReply) == timing.interFrameSilence)
        #expect(clock.delayBeforeSending(at: afterReply + .milliseconds(2)) == timing.interFrameSilence - .milliseconds(2))
        #expect(clock.delayBeforeSending(at: afterReply + .milliseconds(5)) == .zero)
        // A frame sent keeps the line busy while it is shifted out, then t3.5 more.
        let sendAt = afterReply + .milliseconds(5)
        clock.sent(bytes: 8, at: sendAt)
        #expect(clock.delayBeforeSending(at: sendAt) == timing.transmitDuration(bytes: 8) + timing.interFrameSilence)
        let afterSilence = clock.received(at: sendAt + .milliseconds(30))
        #expect(afterSilence, "30 ms of silence ends a frame")
    }

    @Test func aFrameCutShortBySilenceIsDroppedAndTheNextFramesAtOnce() throws {
        let reply = RTUFramer(role: .client).encode(ModbusADU(unitId: 1, pdu: hex("03 04 00 0a 00 0b")))
        var framer = RTUFramer(role: .client)
        framer.append(reply.prefix(5))
        let partial = try framer.nextFrame()
        #expect(partial == nil)
        var cutShort: ModbusCodecError?
        do { try framer.lineWasSilent() } catch { cutShort = error }
        #expect(cutShort?.message.contains("cut short") == true)
        #expect(framer.bufferedByteCount == 0)
        framer.append(reply)
        let whole = try framer.nextFrame()
        #expect(whole?.pdu == hex("03 04 00 0a 00 0b"))
        // A silence with nothing buffered, or after an error already reported, is not an error.
        try framer.lineWasSilent()
        framer.append(hex("01 63 00 00"))
        var unknownFunction: ModbusCodecError?
        do { _ = try framer.nextFrame() } catch { unknownFunction = error }
        #expect(unknownFunction != nil)
        try framer.lineWasSilent()
        framer.append(reply)
        let afterError = try framer.nextFrame()
        #expect(afterError?.pdu == hex("03 04 00 0a 00 0b"))
        // MBAP and ASCII ignore silences.
        var mbap = MBAPFramer()
        mbap.append(hex("00 01 00 00"))
        try mbap.lineWasSilent()
        #expect(mbap.bufferedByteCount == 4)
    }

    /// A device on the other end of a pty answers at once; our client's next request must still
    /// wait t3.5 (32 ms at 1200 baud 8N2) after that answer.
    @Test func ourClientKeepsTheSilenceBeforeTheNextRequest() async throws {
        let scratch = try makeScratchDirectory("modbus-rtu-silence")
        let pty = try await PtyPair(in: scratch)
        defer { pty.stop() }
        let settings = ModbusSerialSettings(port: pty.second, baudRate: 1200, stopBits: 2)
        let silence = RTULineTiming(settings).interFrameSilence
        let device = try RawLine(path: pty.first)
        defer { device.close() }
        let client = ModbusClient(endpoint: .serial(settings), framing: .rtu)
        try await client.connect(timeout: .seconds(5))
        defer { Task { await client.close() } }

        let framer = RTUFramer(role: .server)
        let answer = framer.encode(ModbusADU(unitId: 1, pdu: hex("03 02 00 2a")))
        let gaps = Task.detached { () throws -> [Duration] in
            var gaps: [Duration] = []
            for _ in 0..<3 {
                _ = try device.read(count: 8, timeout: .seconds(5))
                device.write(answer)
                let answered = ContinuousClock.now
                _ = try device.read(count: 1, timeout: .seconds(5))
                gaps.append(ContinuousClock.now - answered)
                _ = try device.read(count: 7, timeout: .seconds(5))
                device.write(answer)
            }
            return gaps
        }
        for _ in 0..<6 {
            #expect(try await client.send(.readHoldingRegisters(address: 0, count: 1), unitId: 1, timeout: .seconds(5))
                    == .registers([42]))
        }
        let measured = try await gaps.value
        let least = Duration.nanoseconds(silence.nanoseconds)
        #expect(measured.allSatisfy { $0 >= least }, "gaps \(measured), t3.5 \(least)")
    }
}

/// The device end of a pty, read and written with plain system calls.
private final class RawLine: Sendable {
    let descriptor: Int32

    init(path: String) throws {
        descriptor = open(path, O_RDWR | O_NOCTTY)
        guard descriptor >= 0 else { throw PeerUnavailable(what: path, hint: "cannot open the pty") }
        var options = termios()
        tcgetattr(descriptor, &options)
        cfmakeraw(&options)
        tcsetattr(descriptor, TCSANOW, &options)
    }

    struct Timeout: Error {}

    /// Exactly `count` bytes, or `Timeout`.
    func read(count: Int, timeout: Duration) throws -> [UInt8] {
        var bytes: [UInt8] = []
        let deadline = ContinuousClock.now + timeout
        while bytes.count < count {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw Timeout() }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)) > 0 else {
                continue
            }
            var chunk = [UInt8](repeating: 0, count: count - bytes.count)
            let got = Glibc.read(descriptor, &chunk, chunk.count)
            if got > 0 { bytes += chunk.prefix(got) }
        }
        return bytes
    }

    func write(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
    }

    func close() { _ = Glibc.close(descriptor) }
}
