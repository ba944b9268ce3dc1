import NIOCore

// Read (Part 4 §5.10.2).

/// Reads attributes of nodes; `maxAge` in ms (0 = read a fresh value from the device).
public struct ReadRequest: Hashable, Sendable, OPCUARequest {
    public typealias Response = ReadResponse
    public static let binaryEncodingId: UInt32 = 631

    public var requestHeader: RequestHeader
    public var maxAge: Double
    public var timestampsToReturn: TimestampsToReturn
    public var nodesToRead: [ReadValueId]

    public init(
        requestHeader: RequestHeader = RequestHeader(),
        maxAge: Double = 0,
        timestampsToReturn: TimestampsToReturn = .both,
        nodesToRead: [ReadValueId] = []
    ) {
        self.requestHeader = requestHeader
        self.maxAge = maxAge
        self.timestampsToReturn = timestampsToReturn
        self.nodesToRead = nodesToRead
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        requestHeader = try reader.read()
        maxAge = try reader.read()
        timestampsToReturn = try reader.read()
        nodesToRead = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(requestHeader)
        writer.write(maxAge)
        writer.write(timestampsToReturn)
        writer.write(nodesToRead)
    }
}

/// One DataValue per ReadValueId, in order.
public struct ReadResponse: Hashable, Sendable, OPCUAResponse {
    public static let binaryEncodingId: UInt32 = 634

    public var responseHeader: ResponseHeader
    public var results: [DataValue]
    public var diagnosticInfos: [DiagnosticInfo]

    public init(
        responseHeader: ResponseHeader = ResponseHeader(),
        results: [DataValue] = [],
        diagnosticInfos: [DiagnosticInfo] = []
    ) {
        self.responseHeader = responseHeader
        self.results = results
        self.diagnosticInfos = diagnosticInfos
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        responseHeader = try reader.read()
        results = try reader.read()
        diagnosticInfos = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(responseHeader)
        writer.write(results)
        writer.write(diagnosticInfos)
    }
}

/// Which attribute (`AttributeId`, default Value) of which node, optionally an index range of an array.
public struct ReadValueId: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 628

    public var nodeId: NodeId
    public var attributeId: UInt32
    public var indexRange: String?
    public var dataEncoding: QualifiedName

    public init(
        nodeId: NodeId = .null,
        attributeId: UInt32 = AttributeId.value,
        indexRange: String? = nil,
        dataEncoding: QualifiedName = QualifiedName(name: nil)
    ) {
        self.nodeId = nodeId
        self.attributeId = attributeId
        self.indexRange = indexRange
        self.dataEncoding = dataEncoding
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        nodeId = try reader.read()
        attributeId = try reader.read()
        indexRange = try reader.read()
        dataEncoding = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(nodeId)
        writer.write(attributeId)
        writer.write(indexRange)
        writer.write(dataEncoding)
    }
}
