import NIOCore

// Browse / BrowseNext (Part 4 §5.8.2-3): follow references from nodes.

/// Lists the references of each node; 0 max references = server's choice (use BrowseNext for the rest).
public struct BrowseRequest: Hashable, Sendable, OPCUARequest {
    public typealias Response = BrowseResponse
    public static let binaryEncodingId: UInt32 = 527

    public var requestHeader: RequestHeader
    public var view: ViewDescription
    public var requestedMaxReferencesPerNode: UInt32
    public var nodesToBrowse: [BrowseDescription]

    public init(
        requestHeader: RequestHeader = RequestHeader(),
        view: ViewDescription = ViewDescription(),
        requestedMaxReferencesPerNode: UInt32 = 0,
        nodesToBrowse: [BrowseDescription] = []
    ) {
        self.requestHeader = requestHeader
        self.view = view
        self.requestedMaxReferencesPerNode = requestedMaxReferencesPerNode
        self.nodesToBrowse = nodesToBrowse
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        requestHeader = try reader.read()
        view = try reader.read()
        requestedMaxReferencesPerNode = try reader.read()
        nodesToBrowse = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(requestHeader)
        writer.write(view)
        writer.write(requestedMaxReferencesPerNode)
        writer.write(nodesToBrowse)
    }
}

/// One BrowseResult per node to browse.
public struct BrowseResponse: Hashable, Sendable, OPCUAResponse {
    public static let binaryEncodingId: UInt32 = 530

    public var responseHeader: ResponseHeader
    public var results: [BrowseResult]
    public var diagnosticInfos: [DiagnosticInfo]

    public init(
        responseHeader: ResponseHeader = ResponseHeader(),
        results: [BrowseResult] = [],
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

/// Continues (or with `releaseContinuationPoints` abandons) browses that returned a continuation point.
public struct BrowseNextRequest: Hashable, Sendable, OPCUARequest {
    public typealias Response = BrowseNextResponse
    public static let binaryEncodingId: UInt32 = 533

    public var requestHeader: RequestHeader
    public var releaseContinuationPoints: Bool
    public var continuationPoints: [[UInt8]]

    public init(
        requestHeader: RequestHeader = RequestHeader(),
        releaseContinuationPoints: Bool = false,
        continuationPoints: [[UInt8]] = []
    ) {
        self.requestHeader = requestHeader
        self.releaseContinuationPoints = releaseContinuationPoints
        self.continuationPoints = continuationPoints
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        requestHeader = try reader.read()
        releaseContinuationPoints = try reader.read()
        continuationPoints = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(requestHeader)
        writer.write(releaseContinuationPoints)
        writer.write(continuationPoints)
    }
}

/// One BrowseResult per continuation point.
public struct BrowseNextResponse: Hashable, Sendable, OPCUAResponse {
    public static let binaryEncodingId: UInt32 = 536

    public var responseHeader: ResponseHeader
    public var results: [BrowseResult]
    public var diagnosticInfos: [DiagnosticInfo]

    public init(
        responseHeader: ResponseHeader = ResponseHeader(),
        results: [BrowseResult] = [],
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

/// The view to browse in; the default (null view) means the whole address space.
public struct ViewDescription: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 513

    public var viewId: NodeId
    public var timestamp: OPCUADateTime
    public var viewVersion: UInt32

    public init(viewId: NodeId = .null, timestamp: OPCUADateTime = .null, viewVersion: UInt32 = 0) {
        self.viewId = viewId
        self.timestamp = timestamp
        self.viewVersion = viewVersion
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        viewId = try reader.read()
        timestamp = try reader.read()
        viewVersion = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(viewId)
        writer.write(timestamp)
        writer.write(viewVersion)
    }
}

/// What to browse from one node: direction, reference type (with subtypes), node classes (0 = all) and which
/// fields to return (`BrowseResultMask`).
public struct BrowseDescription: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 516

    public var nodeId: NodeId
    public var browseDirection: BrowseDirection
    public var referenceTypeId: NodeId
    public var includeSubtypes: Bool
    public var nodeClassMask: UInt32
    public var resultMask: UInt32

    public init(
        nodeId: NodeId = .null,
        browseDirection: BrowseDirection = .forward,
        referenceTypeId: NodeId = WellKnownNodeId.hierarchicalReferences,
        includeSubtypes: Bool = true,
        nodeClassMask: UInt32 = 0,
        resultMask: UInt32 = BrowseResultMask.all.rawValue
    ) {
        self.nodeId = nodeId
        self.browseDirection = browseDirection
        self.referenceTypeId = referenceTypeId
        self.includeSubtypes = includeSubtypes
        self.nodeClassMask = nodeClassMask
        self.resultMask = resultMask
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        nodeId = try reader.read()
        browseDirection = try reader.read()
        referenceTypeId = try reader.read()
        includeSubtypes = try reader.read()
        nodeClassMask = try reader.read()
        resultMask = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(nodeId)
        writer.write(browseDirection)
        writer.write(referenceTypeId)
        writer.write(includeSubtypes)
        writer.write(nodeClassMask)
        writer.write(resultMask)
    }
}

/// One reference found by Browse: the target node and what the result mask asked for.
public struct ReferenceDescription: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 520

    public var referenceTypeId: NodeId
    public var isForward: Bool
    public var nodeId: ExpandedNodeId
    public var browseName: QualifiedName
    public var displayName: LocalizedText
    public var nodeClass: NodeClass
    public var typeDefinition: ExpandedNodeId

    public init(
        referenceTypeId: NodeId = .null,
        isForward: Bool = false,
        nodeId: ExpandedNodeId = .null,
        browseName: QualifiedName = QualifiedName(name: nil),
        displayName: LocalizedText = LocalizedText(text: nil),
        nodeClass: NodeClass = .unspecified,
        typeDefinition: ExpandedNodeId = .null
    ) {
        self.referenceTypeId = referenceTypeId
        self.isForward = isForward
        self.nodeId = nodeId
        self.browseName = browseName
        self.displayName = displayName
        self.nodeClass = nodeClass
        self.typeDefinition = typeDefinition
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        referenceTypeId = try reader.read()
        isForward = try reader.read()
        nodeId = try reader.read()
        browseName = try reader.read()
        displayName = try reader.read()
        nodeClass = try reader.read()
        typeDefinition = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(referenceTypeId)
        writer.write(isForward)
        writer.write(nodeId)
        writer.write(browseName)
        writer.write(displayName)
        writer.write(nodeClass)
        writer.write(typeDefinition)
    }
}

/// References of one node; a non-nil `continuationPoint` means more are available through BrowseNext.
public struct BrowseResult: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 524

    public var statusCode: StatusCode
    public var continuationPoint: [UInt8]?
    public var references: [ReferenceDescription]

    public init(
        statusCode: StatusCode = .good,
        continuationPoint: [UInt8]? = nil,
        references: [ReferenceDescription] = []
    ) {
        self.statusCode = statusCode
        self.continuationPoint = continuationPoint
        self.references = references
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        statusCode = try reader.read()
        continuationPoint = try reader.read()
        references = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(statusCode)
        writer.write(continuationPoint)
        writer.write(references)
    }
}
