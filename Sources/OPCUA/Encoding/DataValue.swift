import NIOCore

/// A value with its status and timestamps (Part 6 §5.2.2.17); absent parts are nil and not written.
public struct DataValue: Hashable, Sendable {
    public var value: Variant?
    public var status: StatusCode?
    public var sourceTimestamp: OPCUADateTime?
    public var serverTimestamp: OPCUADateTime?
    public var sourcePicoseconds: UInt16?
    public var serverPicoseconds: UInt16?

    public init(
        value: Variant? = nil, status: StatusCode? = nil, sourceTimestamp: OPCUADateTime? = nil,
        serverTimestamp: OPCUADateTime? = nil, sourcePicoseconds: UInt16? = nil, serverPicoseconds: UInt16? = nil
    ) {
        self.value = value
        self.status = status
        self.sourceTimestamp = sourceTimestamp
        self.serverTimestamp = serverTimestamp
        self.sourcePicoseconds = sourcePicoseconds
        self.serverPicoseconds = serverPicoseconds
    }

    /// The status a missing status field stands for: Good.
    public var effectiveStatus: StatusCode { status ?? .good }

    private enum Mask {
        static let value: UInt8 = 0x01
        static let status: UInt8 = 0x02
        static let sourceTimestamp: UInt8 = 0x04
        static let serverTimestamp: UInt8 = 0x08
        static let sourcePicoseconds: UInt8 = 0x10
        static let serverPicoseconds: UInt8 = 0x20
    }
}

extension DataValue: OPCUABinaryEncodable, OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        self = try reader.nested("DataValue") { (reader) throws(OPCUADecodingError) -> DataValue in
            let mask: UInt8 = try reader.readInteger()
            var result = DataValue()
            if mask & Mask.value != 0 { result.value = try Variant(from: &reader) }
            if mask & Mask.status != 0 { result.status = try StatusCode(from: &reader) }
            if mask & Mask.sourceTimestamp != 0 { result.sourceTimestamp = try OPCUADateTime(from: &reader) }
            if mask & Mask.sourcePicoseconds != 0 { result.sourcePicoseconds = try reader.readInteger() }
            if mask & Mask.serverTimestamp != 0 { result.serverTimestamp = try OPCUADateTime(from: &reader) }
            if mask & Mask.serverPicoseconds != 0 { result.serverPicoseconds = try reader.readInteger() }
            return result
        }
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        var mask: UInt8 = 0
        if value != nil { mask |= Mask.value }
        if status != nil { mask |= Mask.status }
        if sourceTimestamp != nil { mask |= Mask.sourceTimestamp }
        if serverTimestamp != nil { mask |= Mask.serverTimestamp }
        if sourcePicoseconds != nil { mask |= Mask.sourcePicoseconds }
        if serverPicoseconds != nil { mask |= Mask.serverPicoseconds }
        writer.writeInteger(mask)
        if let value { value.encode(to: &writer) }
        if let status { status.encode(to: &writer) }
        if let sourceTimestamp { sourceTimestamp.encode(to: &writer) }
        if let sourcePicoseconds { writer.writeInteger(sourcePicoseconds) }
        if let serverTimestamp { serverTimestamp.encode(to: &writer) }
        if let serverPicoseconds { writer.writeInteger(serverPicoseconds) }
    }
}
