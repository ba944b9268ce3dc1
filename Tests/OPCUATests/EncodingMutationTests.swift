import NIOCore
@testable import OPCUA
import Testing
import TestSupport

/// A server (or anything answering on its port) can send any bytes: every decoder returns a value
/// or throws (its `OPCUADecodingError`, the only error its signature allows), never traps. Inputs are seeded mutations of the fixtures, so a
/// failure names a replayable case. (The hand-written hostile cases are in `EncodingHostileInputTests`.)
@Suite struct EncodingMutationTests {
    typealias F = OPCUAFixtures

    @Test func mutatedBuiltInsDecodeOrThrow() {
        let fixtures = [F.variantDoubleMatrix, F.variantExtensionObject, F.variantVariantArray, F.variantStringArray,
                        F.variantDataValue, F.variantDiagnosticInfo, F.variantLocalizedText, F.variantExpandedNodeId,
                        F.dataValueFull, F.diagnosticInfoNested, F.expandedNodeIdFull, F.nodeIdGuid, F.localizedText]
        exercise(fixtures, seed: 1) { reader in
            _ = try reader.read(Variant.self)
        }
        exercise(fixtures, seed: 2) { reader in
            _ = try reader.read(DataValue.self)
        }
        exercise(fixtures, seed: 3) { reader in
            _ = try reader.read(DiagnosticInfo.self)
        }
        exercise(fixtures, seed: 4) { reader in
            _ = try reader.read(ExtensionObject.self)
        }
    }

    @Test func mutatedResponsesDecodeOrThrow() {
        let bodies = [F.readResponse, F.publishResponse, F.getEndpointsResponse, F.createSessionResponse, F.browseResponse]
            .map { String($0.dropFirst(8)) }
        exercise(bodies, seed: 5) { reader in _ = try reader.read(ReadResponse.self) }
        exercise(bodies, seed: 6) { reader in _ = try reader.read(PublishResponse.self) }
        exercise(bodies, seed: 7) { reader in _ = try reader.read(GetEndpointsResponse.self) }
        exercise(bodies, seed: 8) { reader in _ = try reader.read(CreateSessionResponse.self) }
        exercise(bodies, seed: 9) { reader in _ = try reader.read(BrowseResponse.self) }
    }

    /// UA TCP framing, in pieces as reads deliver them: chunks come out, or an error; the decoder
    /// never waits on bytes it has (an endless loop) and never traps.
    @Test func mutatedTransportStreamsFrameOrThrow() {
        let messages = [
            UATCPHello(receiveBufferSize: 65535, sendBufferSize: 65535, maxMessageSize: 0, maxChunkCount: 0,
                       endpointURL: "opc.tcp://127.0.0.1:4840/x").encoded(),
            UATCPAcknowledge(receiveBufferSize: 65536, sendBufferSize: 65536, maxMessageSize: 2_097_152, maxChunkCount: 64).encoded(),
            UATCPErrorMessage(status: 0x8007_0000, reason: "too large").encoded(),
        ].map { Array($0.readableBytesView) }
        var mutator = ByteMutator(seed: 0x4F50_4355_0100)
        var chunks = 0
        for iteration in 0..<20_000 {
            let input = mutator.mutate(messages[iteration % messages.count] + messages[mutator.below(messages.count)])
            var accumulated = ByteBuffer()
            let progressed = mutator.feed(input, stopAtFailure: true, append: { accumulated.writeBytes($0) }) {
                do {
                    guard let chunk = try UATCPChunkDecoder.nextChunk(from: &accumulated, maxChunkSize: 65536) else {
                        return .needsMore
                    }
                    chunks += 1
                    _ = try? UATCPHello(payload: chunk.payload)
                    _ = try? UATCPAcknowledge(payload: chunk.payload)
                    _ = try? UATCPErrorMessage(payload: chunk.payload)
                    return .produced
                } catch {
                    return .failed  // The connection closes on a framing error.
                }
            }
            guard progressed else {
                Issue.record("iteration \(iteration): the decoder keeps returning chunks without consuming \(input)")
                return
            }
        }
        #expect(chunks > 1_000, "the mutations should leave many chunks intact")
    }

    private func exercise(_ fixtures: [String], seed: UInt64, iterations: Int = 10_000,
                          _ decode: (inout OPCUABinaryReader) throws -> Void) {
        var mutator = ByteMutator(seed: 0x4F50_4355_0000 | seed)
        let seeds = fixtures.map { Array(CodecTest.buffer($0).readableBytesView) }
        var decoded = 0
        for iteration in 0..<iterations {
            var reader = OPCUABinaryReader(ByteBuffer(bytes: mutator.mutate(seeds[iteration % seeds.count])))
            do {
                try decode(&reader)
                decoded += 1
            } catch {
                continue  // Named by the decoder (OPCUADecodingError): the channel closes with it.
            }
        }
        #expect(decoded > 0, "seed \(seed): no mutation decoded at all")
    }
}
