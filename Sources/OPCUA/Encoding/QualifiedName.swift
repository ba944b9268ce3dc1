import NIOCore

/// A name qualified by a namespace index (browse names): UInt16 namespace then a nullable String.
public struct QualifiedName: Hashable, Sendable, CustomStringConvertible {
    public var namespace: UInt16
    public var name: String?

    public init(namespace: UInt16 = 0, name: String?) {
        self.namespace = namespace
        self.name = name
    }

    /// "2:Temperature", or just "Temperature" in namespace 0 (the text form Part 6 §5.3.1.14 uses).
    public var description: String { namespace == 0 ? (name ?? "") : "\(namespace):\(name ?? "")" }
}

extension QualifiedName: OPCUABinaryEncodable, OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        namespace = try reader.readInteger()
        name = try reader.readString()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.writeInteger(namespace)
        writer.writeString(name)
    }
}
