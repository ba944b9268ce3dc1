import NIOCore

/// An OPC UA StatusCode (Part 4 §7.39): the top two bits give the severity (00 good, 01 uncertain, 1x bad),
/// bits 16-29 the code, the low 16 bits info flags (e.g. the DataValue info type, overflow).
public struct StatusCode: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    public var isGood: Bool { rawValue >> 30 == 0 }
    public var isUncertain: Bool { rawValue >> 30 == 1 }
    public var isBad: Bool { rawValue >> 31 == 1 }

    /// The code without its info bits, for comparing against the named constants.
    public var code: StatusCode { StatusCode(rawValue: rawValue & 0xFFFF_0000) }

    /// The symbolic name (e.g. "BadNodeIdUnknown"), nil for codes not in the table.
    public var name: String? { Self.symbolicNames[rawValue & 0xFFFF_0000] }

    /// "BadNodeIdUnknown (0x80340000)"; unknown codes print as hex only.
    public var description: String {
        let hex = String(rawValue, radix: 16, uppercase: true)
        let padded = "0x" + String(repeating: "0", count: 8 - hex.count) + hex
        return name.map { "\($0) (\(padded))" } ?? padded
    }
}

extension StatusCode: OPCUABinaryEncodable, OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) { rawValue = try reader.readInteger() }
    public func encode(to writer: inout OPCUABinaryWriter) { writer.writeInteger(rawValue) }
}
