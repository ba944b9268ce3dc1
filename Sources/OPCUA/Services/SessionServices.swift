import NIOCore

// CreateSession / ActivateSession / CloseSession (Part 4 §5.6).

/// Creates a session; `requestedSessionTimeout` in ms, `maxResponseMessageSize` 0 = no limit.
public struct CreateSessionRequest: Hashable, Sendable, OPCUARequest {
    public typealias Response = CreateSessionResponse
    public static let binaryEncodingId: UInt32 = 461

    public var requestHeader: RequestHeader
    public var clientDescription: ApplicationDescription
    public var serverURI: String?
    public var endpointURL: String?
    public var sessionName: String?
    public var clientNonce: [UInt8]?
    public var clientCertificate: [UInt8]?
    public var requestedSessionTimeout: Double
    public var maxResponseMessageSize: UInt32

    public init(
        requestHeader: RequestHeader = RequestHeader(),
        clientDescription: ApplicationDescription = ApplicationDescription(),
        serverURI: String? = nil,
        endpointURL: String? = nil,
        sessionName: String? = nil,
        clientNonce: [UInt8]? = nil,
        clientCertificate: [UInt8]? = nil,
        requestedSessionTimeout: Double = 0,
        maxResponseMessageSize: UInt32 = 0
    ) {
        self.requestHeader = requestHeader
        self.clientDescription = clientDescription
        self.serverURI = serverURI
        self.endpointURL = endpointURL
        self.sessionName = sessionName
        self.clientNonce = clientNonce
        self.clientCertificate = clientCertificate
        self.requestedSessionTimeout = requestedSessionTimeout
        self.maxResponseMessageSize = maxResponseMessageSize
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        requestHeader = try reader.read()
        clientDescription = try reader.read()
        serverURI = try reader.read()
        endpointURL = try reader.read()
        sessionName = try reader.read()
        clientNonce = try reader.read()
        clientCertificate = try reader.read()
        requestedSessionTimeout = try reader.read()
        maxResponseMessageSize = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(requestHeader)
        writer.write(clientDescription)
        writer.write(serverURI)
        writer.write(endpointURL)
        writer.write(sessionName)
        writer.write(clientNonce)
        writer.write(clientCertificate)
        writer.write(requestedSessionTimeout)
        writer.write(maxResponseMessageSize)
    }
}

/// The new session: its id, the token every later request header carries, and the server's proof of its key.
public struct CreateSessionResponse: Hashable, Sendable, OPCUAResponse {
    public static let binaryEncodingId: UInt32 = 464

    public var responseHeader: ResponseHeader
    public var sessionId: NodeId
    public var authenticationToken: NodeId
    public var revisedSessionTimeout: Double
    public var serverNonce: [UInt8]?
    public var serverCertificate: [UInt8]?
    public var serverEndpoints: [EndpointDescription]
    public var serverSoftwareCertificates: [SignedSoftwareCertificate]
    public var serverSignature: SignatureData
    public var maxRequestMessageSize: UInt32

    public init(
        responseHeader: ResponseHeader = ResponseHeader(),
        sessionId: NodeId = .null,
        authenticationToken: NodeId = .null,
        revisedSessionTimeout: Double = 0,
        serverNonce: [UInt8]? = nil,
        serverCertificate: [UInt8]? = nil,
        serverEndpoints: [EndpointDescription] = [],
        serverSoftwareCertificates: [SignedSoftwareCertificate] = [],
        serverSignature: SignatureData = SignatureData(),
        maxRequestMessageSize: UInt32 = 0
    ) {
        self.responseHeader = responseHeader
        self.sessionId = sessionId
        self.authenticationToken = authenticationToken
        self.revisedSessionTimeout = revisedSessionTimeout
        self.serverNonce = serverNonce
        self.serverCertificate = serverCertificate
        self.serverEndpoints = serverEndpoints
        self.serverSoftwareCertificates = serverSoftwareCertificates
        self.serverSignature = serverSignature
        self.maxRequestMessageSize = maxRequestMessageSize
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        responseHeader = try reader.read()
        sessionId = try reader.read()
        authenticationToken = try reader.read()
        revisedSessionTimeout = try reader.read()
        serverNonce = try reader.read()
        serverCertificate = try reader.read()
        serverEndpoints = try reader.read()
        serverSoftwareCertificates = try reader.read()
        serverSignature = try reader.read()
        maxRequestMessageSize = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(responseHeader)
        writer.write(sessionId)
        writer.write(authenticationToken)
        writer.write(revisedSessionTimeout)
        writer.write(serverNonce)
        writer.write(serverCertificate)
        writer.write(serverEndpoints)
        writer.write(serverSoftwareCertificates)
        writer.write(serverSignature)
        writer.write(maxRequestMessageSize)
    }
}

/// An algorithm URI and signature bytes (both nil under security policy None).
public struct SignatureData: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 458

    public var algorithm: String?
    public var signature: [UInt8]?

    public init(algorithm: String? = nil, signature: [UInt8]? = nil) {
        self.algorithm = algorithm
        self.signature = signature
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        algorithm = try reader.read()
        signature = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(algorithm)
        writer.write(signature)
    }
}

/// Unused by current servers; kept for the wire format.
public struct SignedSoftwareCertificate: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 346

    public var certificateData: [UInt8]?
    public var signature: [UInt8]?

    public init(certificateData: [UInt8]? = nil, signature: [UInt8]? = nil) {
        self.certificateData = certificateData
        self.signature = signature
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        certificateData = try reader.read()
        signature = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(certificateData)
        writer.write(signature)
    }
}

/// Activates a session with a user identity (an `ExtensionObject` wrapping one of the identity tokens).
public struct ActivateSessionRequest: Hashable, Sendable, OPCUARequest {
    public typealias Response = ActivateSessionResponse
    public static let binaryEncodingId: UInt32 = 467

    public var requestHeader: RequestHeader
    public var clientSignature: SignatureData
    public var clientSoftwareCertificates: [SignedSoftwareCertificate]
    public var localeIds: [String]
    public var userIdentityToken: ExtensionObject
    public var userTokenSignature: SignatureData

    public init(
        requestHeader: RequestHeader = RequestHeader(),
        clientSignature: SignatureData = SignatureData(),
        clientSoftwareCertificates: [SignedSoftwareCertificate] = [],
        localeIds: [String] = [],
        userIdentityToken: ExtensionObject = .null,
        userTokenSignature: SignatureData = SignatureData()
    ) {
        self.requestHeader = requestHeader
        self.clientSignature = clientSignature
        self.clientSoftwareCertificates = clientSoftwareCertificates
        self.localeIds = localeIds
        self.userIdentityToken = userIdentityToken
        self.userTokenSignature = userTokenSignature
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        requestHeader = try reader.read()
        clientSignature = try reader.read()
        clientSoftwareCertificates = try reader.read()
        localeIds = try reader.read()
        userIdentityToken = try reader.read()
        userTokenSignature = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(requestHeader)
        writer.write(clientSignature)
        writer.write(clientSoftwareCertificates)
        writer.write(localeIds)
        writer.write(userIdentityToken)
        writer.write(userTokenSignature)
    }
}

/// A new server nonce (for the next ActivateSession) and per-software-certificate results.
public struct ActivateSessionResponse: Hashable, Sendable, OPCUAResponse {
    public static let binaryEncodingId: UInt32 = 470

    public var responseHeader: ResponseHeader
    public var serverNonce: [UInt8]?
    public var results: [StatusCode]
    public var diagnosticInfos: [DiagnosticInfo]

    public init(
        responseHeader: ResponseHeader = ResponseHeader(),
        serverNonce: [UInt8]? = nil,
        results: [StatusCode] = [],
        diagnosticInfos: [DiagnosticInfo] = []
    ) {
        self.responseHeader = responseHeader
        self.serverNonce = serverNonce
        self.results = results
        self.diagnosticInfos = diagnosticInfos
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        responseHeader = try reader.read()
        serverNonce = try reader.read()
        results = try reader.read()
        diagnosticInfos = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(responseHeader)
        writer.write(serverNonce)
        writer.write(results)
        writer.write(diagnosticInfos)
    }
}

/// Closes the session, by default deleting its subscriptions.
public struct CloseSessionRequest: Hashable, Sendable, OPCUARequest {
    public typealias Response = CloseSessionResponse
    public static let binaryEncodingId: UInt32 = 473

    public var requestHeader: RequestHeader
    public var deleteSubscriptions: Bool

    public init(requestHeader: RequestHeader = RequestHeader(), deleteSubscriptions: Bool = true) {
        self.requestHeader = requestHeader
        self.deleteSubscriptions = deleteSubscriptions
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        requestHeader = try reader.read()
        deleteSubscriptions = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(requestHeader)
        writer.write(deleteSubscriptions)
    }
}

/// Confirms the session is closed.
public struct CloseSessionResponse: Hashable, Sendable, OPCUAResponse {
    public static let binaryEncodingId: UInt32 = 476

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
