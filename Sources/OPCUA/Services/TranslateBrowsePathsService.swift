import NIOCore

// TranslateBrowsePathsToNodeIds (Part 4 §5.8.4): resolve browse-name paths to NodeIds.

/// Resolves each path from its starting node.
public struct TranslateBrowsePathsToNodeIdsRequest: Hashable, Sendable, OPCUARequest {
    public typealias Response = TranslateBrowsePathsToNodeIdsResponse
    public static let binaryEncodingId: UInt32 = 554

    public var requestHeader: RequestHeader
    public var browsePaths: [BrowsePath]

    public init(requestHeader: RequestHeader = RequestHeader(), browsePaths: [BrowsePath] = []) {
        self.requestHeader = requestHeader
        self.browsePaths = browsePaths
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        requestHeader = try reader.read()
        browsePaths = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(requestHeader)
        writer.write(browsePaths)
    }
}

/// One BrowsePathResult per path.
public struct TranslateBrowsePathsToNodeIdsResponse: Hashable, Sendable, OPCUAResponse {
    public static let binaryEncodingId: UInt32 = 557

    public var responseHeader: ResponseHeader
    public var results: [BrowsePathResult]
    public var diagnosticInfos: [DiagnosticInfo]

    public init(
        responseHeader: ResponseHeader = ResponseHeader(),
        results: [BrowsePathResult] = [],
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

/// A starting node and the path of browse names to follow from it.
public struct BrowsePath: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 545

    public var startingNode: NodeId
    public var relativePath: RelativePath

    public init(startingNode: NodeId = .null, relativePath: RelativePath = RelativePath()) {
        self.startingNode = startingNode
        self.relativePath = relativePath
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        startingNode = try reader.read()
        relativePath = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(startingNode)
        writer.write(relativePath)
    }
}

/// A sequence of reference hops.
public struct RelativePath: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 542

    public var elements: [RelativePathElement]

    public init(elements: [RelativePathElement] = []) {
        self.elements = elements
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        elements = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(elements)
    }
}

/// One hop: follow `referenceTypeId` (default hierarchical, with subtypes) to a target named `targetName`.
public struct RelativePathElement: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 539

    public var referenceTypeId: NodeId
    public var isInverse: Bool
    public var includeSubtypes: Bool
    public var targetName: QualifiedName

    public init(
        referenceTypeId: NodeId = WellKnownNodeId.hierarchicalReferences,
        isInverse: Bool = false,
        includeSubtypes: Bool = true,
        targetName: QualifiedName = QualifiedName(name: nil)
    ) {
        self.referenceTypeId = referenceTypeId
        self.isInverse = isInverse
        self.includeSubtypes = includeSubtypes
        self.targetName = targetName
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        referenceTypeId = try reader.read()
        isInverse = try reader.read()
        includeSubtypes = try reader.read()
        targetName = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(referenceTypeId)
        writer.write(isInverse)
        writer.write(includeSubtypes)
        writer.write(targetName)
    }
}

/// The nodes a path led to.
public struct BrowsePathResult: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 551

    public var statusCode: StatusCode
    public var targets: [BrowsePathTarget]

    public init(statusCode: StatusCode = .good, targets: [BrowsePathTarget] = []) {
        self.statusCode = statusCode
        self.targets = targets
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        statusCode = try reader.read()
        targets = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(statusCode)
        writer.write(targets)
    }
}

/// A node a path led to; `remainingPathIndex` is UInt32.max when the whole path was followed.
public struct BrowsePathTarget: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 548

    public var targetId: ExpandedNodeId
    public var remainingPathIndex: UInt32

    public init(targetId: ExpandedNodeId = .null, remainingPathIndex: UInt32 = UInt32.max) {
        self.targetId = targetId
        self.remainingPathIndex = remainingPathIndex
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        targetId = try reader.read()
        remainingPathIndex = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(targetId)
        writer.write(remainingPathIndex)
    }
}
