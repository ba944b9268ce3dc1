import MQTT
import NIOCore

/// The simulated sensors' messages, byte for byte those of refbench's `loadgen.py`:
/// message i (0-based, global) goes to `sensor/SN-%05d/data` of device (i % devices) + 1 with
/// `{"serialNumber":"SN-00007","sensorType":"thermometer","model":"TH-10x","temperature":<seq>,"humidity":<h>}`
/// where seq = seqStart + i (unique, so the sink detects loss and duplicates exactly) and
/// h = 40.0 + (i % 50) × 0.5 printed with one decimal.
///
/// Everything that does not depend on i is rendered once, so building a message costs one buffer
/// allocation and a few byte copies (no string formatting on the hot path).
struct MQTTLoadMessages: Sendable {
    let devices: Int
    let seqStart: Int
    let qos: MQTTQoS
    private let topics: [String]
    /// `{"serialNumber":"SN-00001",...,"temperature":` per device.
    private let heads: [[UInt8]]
    /// `,"humidity":40.0}` ... `,"humidity":64.5}` for i % 50.
    private let tails: [[UInt8]]
    private let allocator = ByteBufferAllocator()

    init(devices: Int, seqStart: Int, qos: MQTTQoS) {
        self.devices = devices
        self.seqStart = seqStart
        self.qos = qos
        topics = (0..<devices).map { "sensor/\(Self.serial($0 + 1))/data" }
        heads = (0..<devices).map { device in
            Array(("{\"serialNumber\":\"\(Self.serial(device + 1))\",\"sensorType\":\"thermometer\","
                + "\"model\":\"TH-\(100 + device % 3)\",\"temperature\":").utf8)
        }
        tails = (0..<50).map { step in
            // 40.0 + step * 0.5 with one decimal, exactly as Python's "%.1f" renders it.
            Array(",\"humidity\":\(40 + step / 2).\(step % 2 == 0 ? "0" : "5")}".utf8)
        }
    }

    /// `SN-%05d`.
    static func serial(_ number: Int) -> String {
        let digits = String(number)
        return "SN-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    func sequenceNumber(_ index: Int) -> Int { seqStart + index }

    func message(_ index: Int) -> MQTTMessage {
        let device = index % devices
        let head = heads[device]
        let tail = tails[index % 50]
        var payload = allocator.buffer(capacity: head.count + 20 + tail.count)
        payload.writeBytes(head)
        Self.writeDecimal(seqStart + index, into: &payload)
        payload.writeBytes(tail)
        return MQTTMessage(topic: topics[device], payload: payload, qos: qos)
    }

    /// Python's `%d`: optional minus sign, no padding.
    static func writeDecimal(_ value: Int, into buffer: inout ByteBuffer) {
        guard value >= 0 else {
            buffer.writeString(String(value))  // rare (negative --seq-start); correctness over speed
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of stack, enough for 2^63
        var count = 0
        var rest = UInt64(value)
        withUnsafeMutableBytes(of: &digits) { scratch in
            repeat {
                count += 1
                scratch[scratch.count - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: scratch[(scratch.count - count)...]))
        }
    }
}
