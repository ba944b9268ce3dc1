import MQTT
import NIOCore
import Testing
import TestSupport

/// Whatever bytes a broker (or something pretending to be one) sends, the decoder returns a
/// packet, asks for more, or throws: it never traps, which would take the whole gateway down.
/// Inputs are seeded mutations of the golden frames, so a failure names a replayable case.
@Suite("MQTT decoder against mutated frames")
struct DecoderRobustnessTests {
    static let iterations = 100_000

    @Test(arguments: [(MQTTVersion.v3_1, 3), (.v3_1_1, 4), (.v5, 5)] as [(MQTTVersion, UInt64)])
    func mutatedFramesDecodeOrFailCleanly(version: MQTTVersion, seed: UInt64) throws {
        var mutator = ByteMutator(seed: 0x4D51_5454_0000 | seed)
        let seeds = packetFixtures.map(\.bytes)
        var decoded = 0
        for iteration in 0..<Self.iterations {
            let input = mutator.mutate(seeds[iteration % seeds.count] + seeds[mutator.below(seeds.count)])
            var decoder = MQTTPacketDecoder(version: version, maximumPacketSize: 1 << 16)
            var buffer = ByteBuffer(bytes: input)
            while true {
                let packet: MQTTPacket
                do {
                    guard let next = try decoder.decode(buffer: &buffer) else { break }
                    packet = next
                } catch {
                    break  // Refused: what the connection does with it is the handler's business.
                }
                decoded += 1
                // What was accepted means what it says: written again, it reads back the same, whole.
                var written = ByteBuffer()
                packet.write(version: version, into: &written)
                var again = MQTTPacketDecoder(version: version)
                do {
                    let reread = try again.decode(buffer: &written)
                    #expect(reread == packet, "iteration \(iteration): \(input)")
                    #expect(written.readableBytes == 0, "iteration \(iteration): bytes left after \(packet)")
                } catch {
                    Issue.record("iteration \(iteration): \(packet) written does not read back: \(error)")
                }
            }
        }
        #expect(decoded > Self.iterations / 10, "the mutations should leave many frames decodable")
    }
}
