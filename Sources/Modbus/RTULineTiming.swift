import NIOCore

/// The silences of Modbus RTU on a serial line ("MODBUS over Serial Line" §2.5.1.1): frames are
/// separated by at least 3.5 character times of silence, and a frame's characters follow each
/// other with less than 1.5 character times between them. Above 19200 baud both are fixed
/// (1.75 ms and 0.75 ms) instead of shrinking with the speed.
public struct RTULineTiming: Sendable, Hashable {
    /// One character on the wire: start bit, data bits, parity bit, stop bits.
    public let characterTime: TimeAmount
    /// t3.5: the least silence between two frames; a sender waits this long after the line's
    /// last byte before it starts a frame.
    public let interFrameSilence: TimeAmount
    /// A gap in the input this long ends any frame in progress: bytes buffered before it are a
    /// frame cut short and are dropped, and the bytes after it start a new frame. It is t3.5 but
    /// never less than `minimumReceiveGap`, because the kernel and USB serial adapters hand
    /// received bytes over in chunks (an FTDI adapter every 16 ms by default), so shorter gaps
    /// inside one frame are normal on real hardware.
    public let receiveGap: TimeAmount

    public static let minimumReceiveGap = TimeAmount.milliseconds(20)

    public init(_ settings: ModbusSerialSettings) {
        let bitsPerCharacter = 1 + settings.dataBits + (settings.parity == .none ? 0 : 1) + settings.stopBits
        let baudRate = Int64(max(1, settings.baudRate))
        characterTime = .nanoseconds(Int64(bitsPerCharacter) * 1_000_000_000 / baudRate)
        interFrameSilence = settings.baudRate > 19200
            ? .microseconds(1750) : .nanoseconds(characterTime.nanoseconds * 7 / 2)
        receiveGap = max(interFrameSilence, Self.minimumReceiveGap)
    }

    /// How long `bytes` characters take on the wire.
    public func transmitDuration(bytes: Int) -> TimeAmount {
        .nanoseconds(characterTime.nanoseconds * Int64(bytes))
    }
}

/// When the line was last busy, to keep the silences of `RTULineTiming`: pure bookkeeping over
/// deadlines the caller passes in, owned by one channel handler on its event loop.
public struct RTULineClock: Sendable {
    public let timing: RTULineTiming
    /// When the last byte seen on the line (received, or sent and still being shifted out) ends.
    public private(set) var lineBusyUntil: NIODeadline = .distantPast
    private var lastReceived: NIODeadline = .distantPast

    public init(timing: RTULineTiming) { self.timing = timing }

    /// Notes bytes read at `now`; true when they follow a gap of at least `receiveGap`, so that
    /// whatever was buffered before them cannot belong to the same frame.
    public mutating func received(at now: NIODeadline) -> Bool {
        let afterGap = now - lastReceived >= timing.receiveGap
        lastReceived = now
        lineBusyUntil = max(lineBusyUntil, now)
        return afterGap
    }

    /// How long to wait at `now` before starting a frame, so that t3.5 of silence precedes it.
    public func delayBeforeSending(at now: NIODeadline) -> TimeAmount {
        let earliest = lineBusyUntil + timing.interFrameSilence
        return earliest > now ? earliest - now : .zero
    }

    /// Notes a frame of `bytes` characters handed to the port at `now`.
    public mutating func sent(bytes: Int, at now: NIODeadline) {
        lineBusyUntil = max(lineBusyUntil, now) + timing.transmitDuration(bytes: bytes)
    }
}
