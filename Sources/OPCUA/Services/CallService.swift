import NIOCore

// Call (Part 4 §5.11.2): invoke methods.

/// Calls one or more methods.
public struct CallRequest: Hashable, Sendable, OPCUARequest {
    public typealias Response = CallResponse
    public static let binaryEncodingId: UInt32 = 712

    public var requestHeader: RequestHeader
    public var methodsToCall: [CallMethodRequest]

    public init(requestHeader: RequestHeader = RequestHeader(), methodsToCall: [CallMethodRequest] = []) {
        self.requestHeader = requestHeader
        self.methodsToCall = methodsToCall
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        requestHeader = try reader.read()
        methodsToCall = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(requestHeader)
        writer.write(methodsToCall)
    }
}

/// One CallMethodResult per method called.
public struct CallResponse: Hashable, Sendable, OPCUAResponse {
    public static let binaryEncodingId: UInt32 = 715

    public var responseHeader: ResponseHeader
    public var results: [CallMethodResult]
    public var diagnosticInfos: [DiagnosticInfo]

    public init(
        responseHeader: ResponseHeader = ResponseHeader(),
        results: [CallMethodResult] = [],
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

/// A method (`methodId`) on an object (`objectId`) with its input arguments.
public struct CallMethodRequest: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 706

    public var objectId: NodeId
    public var methodId: NodeId
    public var inputArguments: [Variant]

    public init(objectId: NodeId = .null, methodId: NodeId = .null, inputArguments: [Variant] = []) {
        self.objectId = objectId
        self.methodId = methodId
        self.inputArguments = inputArguments
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        objectId = try reader.read()
        methodId = try reader.read()
        inputArguments = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(objectId)
        writer.write(methodId)
        writer.write(inputArguments)
    }
}

/// The outcome of one call and its output arguments.
public struct CallMethodResult: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 709

    public var statusCode: StatusCode
    public var inputArgumentResults: [StatusCode]
    public var inputArgumentDiagnosticInfos: [DiagnosticInfo]
    public var outputArguments: [Variant]

    public init(
        statusCode: StatusCode = .good,
        inputArgumentResults: [StatusCode] = [],
        inputArgumentDiagnosticInfos: [DiagnosticInfo] = [],
        outputArguments: [Variant] = []
    ) {
        self.statusCode = statusCode
        self.inputArgumentResults = inputArgumentResults
        self.inputArgumentDiagnosticInfos = inputArgumentDiagnosticInfos
        self.outputArguments = outputArguments
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        statusCode = try reader.read()
        inputArgumentResults = try reader.read()
        inputArgumentDiagnosticInfos = try reader.read()
        outputArguments = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(statusCode)
        writer.write(inputArgumentResults)
        writer.write(inputArgumentDiagnosticInfos)
        writer.write(outputArguments)
    }
}
