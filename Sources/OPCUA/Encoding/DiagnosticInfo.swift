import NIOCore

/// Vendor diagnostics for a failed operation (Part 6 §5.2.2.12). Indices point into the response's
/// string table; the inner info nests recursively and is depth-limited when decoding.
public struct DiagnosticInfo: Hashable, Sendable {
    public var symbolicId: Int32?
    public var namespaceURI: Int32?
    public var locale: Int32?
    public var localizedText: Int32?
    public var additionalInfo: String?
    public var innerStatusCode: StatusCode?
    /// Boxed so the struct has a finite size; use `innerDiagnosticInfo` to read/write it.
    private var inner: Box?

    public init(
        symbolicId: Int32? = nil, namespaceURI: Int32? = nil, locale: Int32? = nil, localizedText: Int32? = nil,
        additionalInfo: String? = nil, innerStatusCode: StatusCode? = nil, innerDiagnosticInfo: DiagnosticInfo? = nil
    ) {
        self.symbolicId = symbolicId
        self.namespaceURI = namespaceURI
        self.locale = locale
        self.localizedText = localizedText
        self.additionalInfo = additionalInfo
        self.innerStatusCode = innerStatusCode
        self.inner = innerDiagnosticInfo.map(Box.init)
    }

    public var innerDiagnosticInfo: DiagnosticInfo? {
        get { inner?.value }
        set { inner = newValue.map(Box.init) }
    }

    /// Immutable box: sharing it between copies is safe because it is never mutated.
    private final class Box: Hashable, Sendable {
        let value: DiagnosticInfo
        init(_ value: DiagnosticInfo) { self.value = value }
        static func == (lhs: Box, rhs: Box) -> Bool { lhs.value == rhs.value }
        func hash(into hasher: inout Hasher) { hasher.combine(value) }
    }

    private enum Mask {
        static let symbolicId: UInt8 = 0x01
        static let namespaceURI: UInt8 = 0x02
        static let localizedText: UInt8 = 0x04
        static let locale: UInt8 = 0x08
        static let additionalInfo: UInt8 = 0x10
        static let innerStatusCode: UInt8 = 0x20
        static let innerDiagnosticInfo: UInt8 = 0x40
    }
}

extension DiagnosticInfo: OPCUABinaryEncodable, OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        self = try reader.nested("DiagnosticInfo") { (reader) throws(OPCUADecodingError) -> DiagnosticInfo in
            let mask: UInt8 = try reader.readInteger()
            var info = DiagnosticInfo()
            if mask & Mask.symbolicId != 0 { info.symbolicId = try reader.readInteger() }
            if mask & Mask.namespaceURI != 0 { info.namespaceURI = try reader.readInteger() }
            if mask & Mask.locale != 0 { info.locale = try reader.readInteger() }
            if mask & Mask.localizedText != 0 { info.localizedText = try reader.readInteger() }
            if mask & Mask.additionalInfo != 0 { info.additionalInfo = try reader.readString() }
            if mask & Mask.innerStatusCode != 0 { info.innerStatusCode = try StatusCode(from: &reader) }
            if mask & Mask.innerDiagnosticInfo != 0 { info.innerDiagnosticInfo = try DiagnosticInfo(from: &reader) }
            return info
        }
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        var mask: UInt8 = 0
        if symbolicId != nil { mask |= Mask.symbolicId }
        if namespaceURI != nil { mask |= Mask.namespaceURI }
        if localizedText != nil { mask |= Mask.localizedText }
        if locale != nil { mask |= Mask.locale }
        if additionalInfo != nil { mask |= Mask.additionalInfo }
        if innerStatusCode != nil { mask |= Mask.innerStatusCode }
        if inner != nil { mask |= Mask.innerDiagnosticInfo }
        writer.writeInteger(mask)
        if let symbolicId { writer.writeInteger(symbolicId) }
        if let namespaceURI { writer.writeInteger(namespaceURI) }
        if let locale { writer.writeInteger(locale) }
        if let localizedText { writer.writeInteger(localizedText) }
        if let additionalInfo { writer.writeString(additionalInfo) }
        if let innerStatusCode { innerStatusCode.encode(to: &writer) }
        if let inner { inner.value.encode(to: &writer) }
    }
}
