import NIOCore

/// A NodeId that may name its namespace by URI and live on another server (Part 6 §5.2.2.10).
public struct ExpandedNodeId: Hashable, Sendable {
    public var nodeId: NodeId
    /// When set, replaces the namespace index of `nodeId` on the wire (flag 0x80).
    public var namespaceURI: String?
    /// Index into the server table; 0 (the local server) is not written (flag 0x40).
    public var serverIndex: UInt32

    public init(nodeId: NodeId, namespaceURI: String? = nil, serverIndex: UInt32 = 0) {
        self.nodeId = nodeId
        self.namespaceURI = namespaceURI
        self.serverIndex = serverIndex
    }

    public static let null = ExpandedNodeId(nodeId: .null)
}

extension ExpandedNodeId: OPCUABinaryEncodable, OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        let encoding: UInt8 = try reader.readInteger()
        let flags = encoding & (NodeIdEncoding.namespaceURIFlag | NodeIdEncoding.serverIndexFlag)
        nodeId = try NodeId.decodeBody(encoding: encoding & ~flags, from: &reader)
        namespaceURI = flags & NodeIdEncoding.namespaceURIFlag != 0 ? try reader.readString() : nil
        serverIndex = flags & NodeIdEncoding.serverIndexFlag != 0 ? try reader.readInteger() : 0
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        var flags: UInt8 = 0
        if namespaceURI != nil { flags |= NodeIdEncoding.namespaceURIFlag }
        if serverIndex != 0 { flags |= NodeIdEncoding.serverIndexFlag }
        nodeId.encode(to: &writer, flags: flags)
        if let namespaceURI { writer.writeString(namespaceURI) }
        if serverIndex != 0 { writer.writeInteger(serverIndex) }
    }
}
