import NIOCore

/// A service request: encoded after its DefaultBinary encoding NodeId; `Response` is what the server answers.
public protocol OPCUARequest: OPCUAEncodableObject {
    associatedtype Response: OPCUAResponse
    var requestHeader: RequestHeader { get set }
}

/// A service response, identified on the wire by its DefaultBinary encoding NodeId.
public protocol OPCUAResponse: OPCUAEncodableObject {
    var responseHeader: ResponseHeader { get }
}

/// What a request got back: the expected response, or the ServiceFault the server sent instead.
public enum OPCUAServiceResult<R: OPCUAResponse>: Sendable {
    case response(R)
    case fault(ServiceFault)
}

/// The body of a MSG/OPN/CLO message: encoding NodeId (namespace 0, numeric) then the service structure.
public enum OPCUAServiceMessage {
    /// Writes the encoding NodeId then the request body.
    public static func encode<R: OPCUARequest>(_ request: R, to writer: inout OPCUABinaryWriter) {
        NodeId.numeric(R.binaryEncodingId).encode(to: &writer)
        request.encode(to: &writer)
    }

    /// Reads the encoding NodeId; a ServiceFault (397) becomes `.fault`; another unexpected id throws.
    public static func decode<R: OPCUAResponse>(
        _ type: R.Type, from reader: inout OPCUABinaryReader
    ) throws(OPCUADecodingError) -> OPCUAServiceResult<R> {
        let typeId = try NodeId(from: &reader)
        switch typeId.namespaceZeroNumeric {
        case R.binaryEncodingId?:
            return .response(try R(from: &reader))
        case ServiceFault.binaryEncodingId?:
            return .fault(try ServiceFault(from: &reader))
        default:
            throw OPCUADecodingError("expected \(R.self) (i=\(R.binaryEncodingId)) or ServiceFault, got message \(typeId)")
        }
    }

    /// Reads just the encoding NodeId of a message (servers may need to dispatch on it; tests inspect it).
    public static func peekTypeId(in buffer: ByteBuffer) throws(OPCUADecodingError) -> NodeId {
        var reader = OPCUABinaryReader(buffer)
        return try NodeId(from: &reader)
    }
}
