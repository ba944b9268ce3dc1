/// "01 03 00 00" -> bytes, so fixtures read like the spec's examples.
func hex(_ text: String) -> [UInt8] {
    text.split(whereSeparator: { $0 == " " }).map { UInt8($0, radix: 16)! }
}

func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

/// What a framer made of a byte stream: frames and errors, in order.
enum FramerOutput: Equatable, CustomStringConvertible {
    case frame(unit: UInt8, transaction: UInt16, pdu: [UInt8])
    case error

    var description: String {
        switch self {
        case .frame(let unit, let transaction, let pdu): "frame(unit \(unit), tid \(transaction), \(pdu))"
        case .error: "error"
        }
    }
}

import Modbus

/// Feeds `chunks` one after another, draining frames after each, like reads from a socket.
func run<F: ModbusFramer>(_ framer: F, chunks: [[UInt8]]) -> (outputs: [FramerOutput], messages: [String], leftover: Int) {
    var framer = framer
    var outputs: [FramerOutput] = []
    var messages: [String] = []
    for chunk in chunks {
        framer.append(chunk)
        while true {
            do {
                guard let adu = try framer.nextFrame() else { break }
                outputs.append(.frame(unit: adu.unitId, transaction: adu.transactionId, pdu: adu.pdu))
            } catch {
                outputs.append(.error)
                messages.append(error.message)
            }
        }
    }
    return (outputs, messages, framer.bufferedByteCount)
}

/// Every way to cut `bytes` into reads: one read, two reads at every position, and byte by byte.
func everySplit(_ bytes: [UInt8]) -> [[[UInt8]]] {
    var splits: [[[UInt8]]] = [[bytes], bytes.map { [$0] }]
    for cut in 1..<max(1, bytes.count) {
        splits.append([Array(bytes[..<cut]), Array(bytes[cut...])])
    }
    return splits
}

/// Asserts the framer gives `expected` for `bytes` however they are split across reads.
func expectSplitInvariant<F: ModbusFramer>(_ framer: F, _ bytes: [UInt8], _ expected: [FramerOutput],
                                          sourceLocation: SourceLocation = #_sourceLocation) {
    for chunks in everySplit(bytes) {
        let result = run(framer, chunks: chunks)
        #expect(result.outputs == expected, "split \(chunks.map(\.count))", sourceLocation: sourceLocation)
        #expect(result.leftover == 0, "split \(chunks.map(\.count)) left bytes", sourceLocation: sourceLocation)
    }
}

import Testing
