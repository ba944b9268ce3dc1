/// One framed message: the unit (slave) id, the PDU, and for MBAP the transaction id.
public struct ModbusADU: Sendable, Equatable {
    public var unitId: UInt8
    /// MBAP only (TCP/UDP/TLS); 0 on RTU and ASCII.
    public var transactionId: UInt16
    /// Function code + data.
    public var pdu: [UInt8]

    public init(unitId: UInt8, transactionId: UInt16 = 0, pdu: [UInt8]) {
        self.unitId = unitId
        self.transactionId = transactionId
        self.pdu = pdu
    }
}

/// Which side of the conversation a framer decodes. RTU has no length field, so the frame length
/// comes from the function code and byte count, and those differ between requests and responses.
public enum ModbusFrameRole: Sendable {
    /// Decodes responses (a client's inbound side).
    case client
    /// Decodes requests (a server's inbound side).
    case server
}

/// An incremental framer: feed it bytes as they arrive, take out zero or more complete frames.
/// `nextFrame()` throws for a bad frame after discarding it, so calling it again carries on with
/// the bytes after it; partial frames stay buffered until the rest arrives.
public protocol ModbusFramer: Sendable {
    mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8
    mutating func nextFrame() throws(ModbusCodecError) -> ModbusADU?
    /// Forgets every buffered byte (serial: before writing the next request, so a late reply to a
    /// timed-out request is not taken as the answer to the next one).
    mutating func reset()
    /// The bytes on the wire for `adu`.
    func encode(_ adu: ModbusADU) -> [UInt8]
    /// Bytes buffered but not yet framed.
    var bufferedByteCount: Int { get }
    /// The line was silent long enough that no frame spans the silence (RTU's t3.5): bytes
    /// buffered before it are a frame cut short. Throws to report them once; the framer is then
    /// ready for the next frame.
    mutating func lineWasSilent() throws(ModbusCodecError)
}

extension ModbusFramer {
    /// MBAP carries lengths and ASCII a start character: silences mean nothing to them.
    public mutating func lineWasSilent() throws(ModbusCodecError) {}
}

/// Input bytes with a moving start, compacted now and then, so consuming a frame is O(frame).
struct ModbusInputBuffer: Sendable {
    private var storage: [UInt8] = []
    private var start = 0

    var count: Int { storage.count - start }
    subscript(offset: Int) -> UInt8 { storage[start + offset] }

    mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if start > 0 && (start >= 4096 || start * 2 >= storage.count) {
            storage.removeFirst(start)
            start = 0
        }
        storage.append(contentsOf: bytes)
    }

    func bytes(_ range: Range<Int>) -> [UInt8] {
        Array(storage[(start + range.lowerBound)..<(start + range.upperBound)])
    }

    mutating func consume(_ n: Int) {
        start += n
        if start == storage.count {
            storage.removeAll(keepingCapacity: true)
            start = 0
        }
    }

    mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        start = 0
    }

    /// Offset of the first `byte` at or after `from`, if any.
    func firstIndex(of byte: UInt8, from: Int = 0) -> Int? {
        var index = start + from
        while index < storage.count {
            if storage[index] == byte { return index - start }
            index += 1
        }
        return nil
    }
}
