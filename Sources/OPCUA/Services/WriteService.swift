import NIOCore

// Write (Part 4 §5.10.4).

/// Writes attributes of nodes.
public struct WriteRequest: Hashable, Sendable, OPCUARequest {
    public typealias Response = WriteResponse
    public static let binaryEncodingId: UInt32 = 673

    public var requestHeader: RequestHeader
    public var nodesToWrite: [WriteValue]

    public init(requestHeader: RequestHeader = RequestHeader(), nodesToWrite: [WriteValue] = []) {
        self.requestHeader = requestHeader
        self.nodesToWrite = nodesToWrite
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        requestHeader = try reader.read()
        nodesToWrite = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(requestHeader)
        writer.write(nodesToWrite)
    }
}

/// One StatusCode per WriteValue, in order.
public struct WriteResponse: Hashable, Sendable, OPCUAResponse {
    public static let binaryEncodingId: UInt32 = 676

    public var responseHeader: ResponseHeader
    public var results: [StatusCode]
    public var diagnosticInfos: [DiagnosticInfo]

    public init(
        responseHeader: ResponseHeader = ResponseHeader(),
        results: [StatusCode] = [],
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

/// A value to write to one attribute (default Value); servers usually reject timestamps in `value`.
public struct WriteValue: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 670

    public var nodeId: NodeId
    public var attributeId: UInt32
    public var indexRange: String?
    public var value: DataValue

    public init(
        nodeId: NodeId = .null,
        attributeId: UInt32 = AttributeId.value,
        indexRange: String? = nil,
        value: DataValue = DataValue()
    ) {
        self.nodeId = nodeId
        self.attributeId = attributeId
        self.indexRange = indexRange
        self.value = value
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        nodeId = try reader.read()
        attributeId = try reader.read()
        indexRange = try reader.read()
        value = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(nodeId)
        writer.write(attributeId)
        writer.write(indexRange)
        writer.write(value)
    }
}
