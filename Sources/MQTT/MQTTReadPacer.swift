import NIOCore

/// Decides when a connection reads its socket again (`MQTTClientConfiguration.readBatching`).
///
/// Why: at a steady 1,000 messages/s every message otherwise costs its own wake-up of the event
/// loop and of every thread behind it; on a small VM those wake-ups, not the work, are most of the
/// CPU a connector takes at such rates. After a read that brought data, the next one waits
/// `interval`, so the messages that arrive meanwhile wait in the kernel's buffer and come in one
/// read. A message after a quiet spell is read at once (the socket was waiting for it).
///
/// A busy stream is read without pause: when `busyMessages` publishes or `busyBytes` bytes
/// arrived within one interval, every read of that interval and the next goes out at once. Its
/// reads are large anyway, and a broker that limits unacknowledged messages (mosquitto sends 20
/// QoS 1 messages, then waits for their PUBACKs, which go out after a read) must not be slowed to
/// that many per interval.
struct MQTTReadPacer {
    let interval: TimeAmount
    let busyMessages: Int
    let busyBytes: Int
    private var windowStart = NIODeadline.distantPast
    private var windowMessages = 0
    private var windowBytes = 0
    private var previousWindowWasBusy = false
    private var readSinceLastRequest = false

    init(interval: TimeAmount, busyMessages: Int = 16, busyBytes: Int = 16 << 10) {
        self.interval = interval
        self.busyMessages = busyMessages
        self.busyBytes = busyBytes
    }

    mutating func received(bytes: Int) {
        windowBytes += bytes
        readSinceLastRequest = true
    }

    mutating func receivedPublish() { windowMessages += 1 }

    /// Called when the channel asks for its next read: when that read may start (nil: now).
    mutating func nextRead(now: NIODeadline) -> NIODeadline? {
        if now >= windowStart + interval {
            previousWindowWasBusy = isBusy
            windowStart = now
            windowMessages = 0
            windowBytes = 0
        }
        let broughtData = readSinceLastRequest
        readSinceLastRequest = false
        if !broughtData || previousWindowWasBusy || isBusy { return nil }
        return now + interval
    }

    private var isBusy: Bool { windowMessages >= busyMessages || windowBytes >= busyBytes }
}
