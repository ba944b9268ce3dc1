import NIOCore

/// Human-readable text with an optional locale; either part may be absent (mask byte 0x01 locale, 0x02 text).
public struct LocalizedText: Hashable, Sendable, CustomStringConvertible {
    public var locale: String?
    public var text: String?

    public init(locale: String? = nil, text: String?) {
        self.locale = locale
        self.text = text
    }

    public var description: String { text ?? "" }
}

extension LocalizedText: OPCUABinaryEncodable, OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        let mask: UInt8 = try reader.readInteger()
        locale = mask & 0x01 != 0 ? try reader.readString() : nil
        text = mask & 0x02 != 0 ? try reader.readString() : nil
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.writeInteger(UInt8((locale != nil ? 0x01 : 0) | (text != nil ? 0x02 : 0)))
        if let locale { writer.writeString(locale) }
        if let text { writer.writeString(text) }
    }
}
