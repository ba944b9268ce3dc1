import MQTT
import NIOCore
import Testing

@Suite("MQTT packet codec")
struct CodecTests {
    @Test(arguments: packetFixtures)
    func encodesExactBytes(_ fixture: PacketFixture) {
        var buffer = ByteBuffer()
        fixture.packet.write(version: fixture.version, into: &buffer)
        #expect(Array(buffer.readableBytesView) == fixture.bytes)
        #expect(fixture.packet.encodedSize(version: fixture.version) == fixture.bytes.count)
    }

    @Test(arguments: packetFixtures)
    func decodesEverySplit(_ fixture: PacketFixture) throws {
        // Whole, byte by byte, and every two-part split; plus the frame twice back to back.
        var splits: [[Int]] = [[fixture.bytes.count], Array(repeating: 1, count: fixture.bytes.count)]
        for cut in 1..<fixture.bytes.count { splits.append([cut, fixture.bytes.count - cut]) }
        for split in splits {
            let decoded = try decode(fixture.bytes + fixture.bytes, version: fixture.version, chunks: split + split)
            #expect(decoded == [fixture.packet, fixture.packet], "split \(split)")
        }
    }

    @Test func publishPayloadIsASliceNotACopy() throws {
        let fixture = try #require(packetFixtures.first { $0.name == "PUBLISH QoS1 retain" })
        let packets = try decode(fixture.bytes, version: .v3_1_1, chunks: [fixture.bytes.count])
        guard case .publish(let publish) = packets.first else { Issue.record("not a publish"); return }
        #expect(String(buffer: publish.payload) == "hi")
    }

    @Test func largeRemainingLengths() throws {
        for size in [127, 128, 16_383, 16_384, 70_000] {
            let packet = MQTTPacket.publish(MQTTPublishPacket(
                topic: "t", payload: ByteBuffer(repeating: 0x41, count: size), qos: .atMostOnce))
            var buffer = ByteBuffer()
            packet.write(version: .v3_1_1, into: &buffer)
            let bytes = Array(buffer.readableBytesView)
            #expect(try decode(bytes, version: .v3_1_1, chunks: [3, bytes.count - 3]) == [packet])
        }
    }

    @Test(arguments: malformedFrames)
    func rejectsMalformedFrames(_ frame: MalformedFrame) {
        #expect(throws: frame.error) {
            _ = try decode(frame.bytes, version: frame.version, chunks: [frame.bytes.count], maximum: frame.maximum)
        }
    }

    @Test func rejectsOversizedFrameFromHeaderAlone() {
        // Only the fixed header of a 1 MB frame arrived: refused before the body is buffered.
        #expect(throws: MQTTDecodeError.packetTooLarge(size: 1_000_004, limit: 1000)) {
            _ = try decode([0x30, 0xC0, 0x84, 0x3D], version: .v5, chunks: [4], maximum: 1000)
        }
    }
}

struct MalformedFrame: Sendable, CustomStringConvertible {
    var name: String
    var version: MQTTVersion
    var bytes: [UInt8]
    var error: MQTTDecodeError
    var maximum: Int = 268_435_460
    var description: String { name }
}

let malformedFrames: [MalformedFrame] = [
    .init(name: "5-byte remaining length", version: .v3_1_1, bytes: [0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F],
          error: .malformedVariableByteInteger),
    .init(name: "PUBREL flags 0", version: .v3_1_1, bytes: [0x60, 0x02, 0x00, 0x01],
          error: .invalidFlags(packetType: 6, flags: 0)),
    .init(name: "SUBSCRIBE flags 0", version: .v3_1_1, bytes: [0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x00],
          error: .invalidFlags(packetType: 8, flags: 0)),
    .init(name: "PUBLISH QoS 3", version: .v3_1_1, bytes: [0x36, 0x05, 0x00, 0x01, 0x74, 0x00, 0x01],
          error: .invalidFlags(packetType: 3, flags: 6)),
    .init(name: "PUBLISH QoS0 with DUP", version: .v3_1_1, bytes: [0x38, 0x03, 0x00, 0x01, 0x74],
          error: .invalidFlags(packetType: 3, flags: 8)),
    .init(name: "invalid UTF-8 topic", version: .v3_1_1, bytes: [0x30, 0x04, 0x00, 0x02, 0xC3, 0x28],
          error: .invalidUTF8("topic name")),
    .init(name: "U+0000 in topic", version: .v3_1_1, bytes: [0x30, 0x03, 0x00, 0x01, 0x00],
          error: .invalidUTF8("topic name")),
    .init(name: "topic longer than frame", version: .v3_1_1, bytes: [0x30, 0x03, 0x00, 0x05, 0x61],
          error: .truncated("topic name")),
    .init(name: "truncated properties", version: .v5, bytes: [0x40, 0x05, 0x00, 0x05, 0x00, 0x05, 0x1F],
          error: .truncated("properties")),
    .init(name: "unknown property", version: .v5, bytes: [0x40, 0x05, 0x00, 0x05, 0x00, 0x01, 0x7F],
          error: .invalidProperty(0x7F)),
    .init(name: "truncated property value", version: .v5, bytes: [0x40, 0x06, 0x00, 0x05, 0x00, 0x02, 0x21, 0x00],
          error: .truncated("property 0x21")),
    .init(name: "packet too large", version: .v5, bytes: [0x30, 0x14] + Array(repeating: 0, count: 20),
          error: .packetTooLarge(size: 22, limit: 10), maximum: 10),
    .init(name: "packet type 0", version: .v5, bytes: [0x00, 0x00], error: .unknownPacketType(0)),
    .init(name: "AUTH on 3.1.1", version: .v3_1_1, bytes: [0xF0, 0x00], error: .unknownPacketType(15)),
    .init(name: "trailing bytes", version: .v3_1_1, bytes: [0x40, 0x03, 0x00, 0x01, 0x00],
          error: .trailingBytes(packetType: 4, count: 1)),
    .init(name: "CONNECT bad protocol", version: .v3_1_1,
          bytes: [0x10, 0x0C, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x09, 0x02, 0x00, 0x3C, 0x00, 0x00],
          error: .invalidProtocol(name: "MQTT", level: 9)),
]

/// Feeds `bytes` to the frame decoder in chunks of the given sizes, as separate socket reads.
func decode(_ bytes: [UInt8], version: MQTTVersion, chunks: [Int], maximum: Int = 268_435_460) throws -> [MQTTPacket] {
    let processor = NIOSingleStepByteToMessageProcessor(MQTTPacketDecoder(version: version, maximumPacketSize: maximum))
    var packets: [MQTTPacket] = []
    var offset = 0
    for size in chunks where size > 0 {
        try processor.process(buffer: ByteBuffer(bytes: bytes[offset..<offset + size])) { packets.append($0) }
        offset += size
    }
    try processor.finishProcessing(seenEOF: true) { packets.append($0) }
    #expect(processor.unprocessedBytes == 0, "no bytes left undecoded")
    return packets
}
