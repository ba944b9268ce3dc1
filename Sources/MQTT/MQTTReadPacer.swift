import NIOCore

/// Decides when a connection reads its socket again (`MQTTClientConfiguration.readBatching`).
///
/// Why: at a steady 1,000 messages/s every message otherwise costs its own wake-up of the event
/// loop and of every thread behind it; on a small VM those wake-ups, not the work, are most of the
/// CPU a connector takes at such rates. After a read that brought data, the next one is held back
/// so the messages that arrive meanwhile wait in the kernel's buffer and come in one read. A
/// message after a quiet spell is read at once (the socket was waiting for it).
///
/// The hold is `interval`, or less: as long as `batchMessages` (or `batchBytes`) take to arrive at
/// the rate of the last interval, or of the last read when it brought a batch or more and as many
/// messages as the read before. A broker that limits unacknowledged messages (mosquitto: 20 over
/// MQTT 3.1.1; RabbitMQ: 10) sends that many, then waits for their PUBACKs, which go out after a
/// read: a fixed hold would slow such a stream to one window per hold. With the hold sized to a
/// batch smaller than the window, every held read of a window-bound stream (the same full count
/// each time) shows a higher rate, the hold shrinks, and below
/// `shortestHold` reads go out at once (so does a busy stream, whose reads are large anyway). A
/// read that brought twice a batch (a burst) is followed at once as well.
struct MQTTReadPacer {
    let interval: TimeAmount
    let batchMessages: Int
    let batchBytes: Int
    let shortestHold: TimeAmount
    private var hold: TimeAmount
    /// Nil until the first read request: the rate is measured from there.
    private var windowStart: NIODeadline?
    private var windowMessages = 0
    private var windowBytes = 0
    private var previousRequest: NIODeadline?
    private var previousReadMessages = 0
    private var messagesSinceRequest = 0
    private var bytesSinceRequest = 0

    init(interval: TimeAmount, batchMessages: Int = 8, batchBytes: Int = 8 << 10,
         shortestHold: TimeAmount = .milliseconds(1)) {
        self.interval = interval
        self.batchMessages = batchMessages
        self.batchBytes = batchBytes
        self.shortestHold = shortestHold
        hold = interval
    }

    mutating func received(bytes: Int) {
        bytesSinceRequest += bytes
        windowBytes += bytes
    }

    mutating func receivedPublish() {
        messagesSinceRequest += 1
        windowMessages += 1
    }

    /// Whether reads of this stream are being held back (it is slow enough).
    var isHolding: Bool { hold >= shortestHold }

    /// Called when the channel asks for its next read: when that read may start (nil: now).
    mutating func nextRead(now: NIODeadline) -> NIODeadline? {
        let messages = messagesSinceRequest, bytes = bytesSinceRequest
        messagesSinceRequest = 0
        bytesSinceRequest = 0
        defer { previousRequest = now }
        guard let start = windowStart else {
            windowStart = now
            windowMessages = 0
            windowBytes = 0
            return nil
        }
        if now - start >= interval {
            hold = holdForRate(messages: windowMessages, bytes: windowBytes, over: now - start)
            windowStart = now
            windowMessages = 0
            windowBytes = 0
        }
        defer { previousReadMessages = messages }
        if messages > 0, messages >= batchMessages || bytes >= batchBytes, messages == previousReadMessages,
           let previousRequest {
            // As many messages as the read before, a batch or more: the signature of a stream
            // bound by a window (random arrivals rarely repeat a count). Follow its rate now
            // rather than at the end of the interval, so the hold shrinks read by read until
            // reads go out at once.
            hold = min(hold, holdForRate(messages: messages, bytes: bytes, over: now - previousRequest))
        }
        if messages == 0 && bytes == 0 { return nil }
        let burst = messages >= 2 * batchMessages || bytes >= 2 * batchBytes
        if burst || hold < shortestHold { return nil }
        return now + hold
    }

    /// How long `batchMessages` and `batchBytes` take to arrive at this rate, at most `interval`.
    private func holdForRate(messages: Int, bytes: Int, over elapsed: TimeAmount) -> TimeAmount {
        var hold = interval.nanoseconds
        if messages > 0 { hold = min(hold, Self.scaled(elapsed, by: batchMessages, per: messages)) }
        if bytes > 0 { hold = min(hold, Self.scaled(elapsed, by: batchBytes, per: bytes)) }
        return .nanoseconds(hold)
    }

    /// elapsed × batch / count, saturating (a long silence must not overflow).
    private static func scaled(_ elapsed: TimeAmount, by batch: Int, per count: Int) -> Int64 {
        let (product, overflow) = (elapsed.nanoseconds / Int64(count)).multipliedReportingOverflow(by: Int64(batch))
        return overflow ? .max : product
    }
}
