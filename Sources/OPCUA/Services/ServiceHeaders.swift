import NIOCore

// Headers every service request and response starts with (Part 4 §7.28, §7.29), and ServiceFault.

/// Sent with every request: the session's authentication token (null before ActivateSession), a handle the
/// response echoes, and how long the client will wait (ms, 0 = no hint).
public struct RequestHeader: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 391

    public var authenticationToken: NodeId
    public var timestamp: OPCUADateTime
    public var requestHandle: UInt32
    public var returnDiagnostics: UInt32
    public var auditEntryId: String?
    public var timeoutHint: UInt32
    public var additionalHeader: ExtensionObject

    public init(
        authenticationToken: NodeId = .null,
        timestamp: OPCUADateTime = .null,
        requestHandle: UInt32 = 0,
        returnDiagnostics: UInt32 = 0,
        auditEntryId: String? = nil,
        timeoutHint: UInt32 = 0,
        additionalHeader: ExtensionObject = .null
    ) {
        self.authenticationToken = authenticationToken
        self.timestamp = timestamp
        self.requestHandle = requestHandle
        self.returnDiagnostics = returnDiagnostics
        self.auditEntryId = auditEntryId
        self.timeoutHint = timeoutHint
        self.additionalHeader = additionalHeader
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        authenticationToken = try reader.read()
        timestamp = try reader.read()
        requestHandle = try reader.read()
        returnDiagnostics = try reader.read()
        auditEntryId = try reader.read()
        timeoutHint = try reader.read()
        additionalHeader = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(authenticationToken)
        writer.write(timestamp)
        writer.write(requestHandle)
        writer.write(returnDiagnostics)
        writer.write(auditEntryId)
        writer.write(timeoutHint)
        writer.write(additionalHeader)
    }
}

/// Returned with every response: the echoed request handle and the service-level result.
public struct ResponseHeader: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 394

    public var timestamp: OPCUADateTime
    public var requestHandle: UInt32
    public var serviceResult: StatusCode
    public var serviceDiagnostics: DiagnosticInfo
    public var stringTable: [String]
    public var additionalHeader: ExtensionObject

    public init(
        timestamp: OPCUADateTime = .null,
        requestHandle: UInt32 = 0,
        serviceResult: StatusCode = .good,
        serviceDiagnostics: DiagnosticInfo = DiagnosticInfo(),
        stringTable: [String] = [],
        additionalHeader: ExtensionObject = .null
    ) {
        self.timestamp = timestamp
        self.requestHandle = requestHandle
        self.serviceResult = serviceResult
        self.serviceDiagnostics = serviceDiagnostics
        self.stringTable = stringTable
        self.additionalHeader = additionalHeader
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        timestamp = try reader.read()
        requestHandle = try reader.read()
        serviceResult = try reader.read()
        serviceDiagnostics = try reader.read()
        stringTable = try reader.read()
        additionalHeader = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(timestamp)
        writer.write(requestHandle)
        writer.write(serviceResult)
        writer.write(serviceDiagnostics)
        writer.write(stringTable)
        writer.write(additionalHeader)
    }
}

/// What a server sends instead of the expected response when a service fails as a whole;
/// `responseHeader.serviceResult` says why.
public struct ServiceFault: Hashable, Sendable, OPCUAResponse {
    public static let binaryEncodingId: UInt32 = 397

    public var responseHeader: ResponseHeader

    public init(responseHeader: ResponseHeader = ResponseHeader()) {
        self.responseHeader = responseHeader
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        responseHeader = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(responseHeader)
    }
}
