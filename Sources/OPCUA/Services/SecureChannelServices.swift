import NIOCore

// OpenSecureChannel / CloseSecureChannel (Part 4 §5.5): carried in OPN / CLO chunks.

/// Opens (issue) or renews a secure channel token; `requestedLifetime` in ms.
public struct OpenSecureChannelRequest: Hashable, Sendable, OPCUARequest {
    public typealias Response = OpenSecureChannelResponse
    public static let binaryEncodingId: UInt32 = 446

    public var requestHeader: RequestHeader
    public var clientProtocolVersion: UInt32
    public var requestType: SecurityTokenRequestType
    public var securityMode: MessageSecurityMode
    public var clientNonce: [UInt8]?
    public var requestedLifetime: UInt32

    public init(
        requestHeader: RequestHeader = RequestHeader(),
        clientProtocolVersion: UInt32 = 0,
        requestType: SecurityTokenRequestType = .issue,
        securityMode: MessageSecurityMode = .none,
        clientNonce: [UInt8]? = nil,
        requestedLifetime: UInt32 = 0
    ) {
        self.requestHeader = requestHeader
        self.clientProtocolVersion = clientProtocolVersion
        self.requestType = requestType
        self.securityMode = securityMode
        self.clientNonce = clientNonce
        self.requestedLifetime = requestedLifetime
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        requestHeader = try reader.read()
        clientProtocolVersion = try reader.read()
        requestType = try reader.read()
        securityMode = try reader.read()
        clientNonce = try reader.read()
        requestedLifetime = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(requestHeader)
        writer.write(clientProtocolVersion)
        writer.write(requestType)
        writer.write(securityMode)
        writer.write(clientNonce)
        writer.write(requestedLifetime)
    }
}

/// The channel id and token the server issued; symmetric chunks carry both, `revisedLifetime` is in ms.
public struct ChannelSecurityToken: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 443

    public var channelId: UInt32
    public var tokenId: UInt32
    public var createdAt: OPCUADateTime
    public var revisedLifetime: UInt32

    public init(
        channelId: UInt32 = 0,
        tokenId: UInt32 = 0,
        createdAt: OPCUADateTime = .null,
        revisedLifetime: UInt32 = 0
    ) {
        self.channelId = channelId
        self.tokenId = tokenId
        self.createdAt = createdAt
        self.revisedLifetime = revisedLifetime
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        channelId = try reader.read()
        tokenId = try reader.read()
        createdAt = try reader.read()
        revisedLifetime = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(channelId)
        writer.write(tokenId)
        writer.write(createdAt)
        writer.write(revisedLifetime)
    }
}

/// The server's token and nonce (symmetric keys derive from both nonces).
public struct OpenSecureChannelResponse: Hashable, Sendable, OPCUAResponse {
    public static let binaryEncodingId: UInt32 = 449

    public var responseHeader: ResponseHeader
    public var serverProtocolVersion: UInt32
    public var securityToken: ChannelSecurityToken
    public var serverNonce: [UInt8]?

    public init(
        responseHeader: ResponseHeader = ResponseHeader(),
        serverProtocolVersion: UInt32 = 0,
        securityToken: ChannelSecurityToken = ChannelSecurityToken(),
        serverNonce: [UInt8]? = nil
    ) {
        self.responseHeader = responseHeader
        self.serverProtocolVersion = serverProtocolVersion
        self.securityToken = securityToken
        self.serverNonce = serverNonce
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        responseHeader = try reader.read()
        serverProtocolVersion = try reader.read()
        securityToken = try reader.read()
        serverNonce = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(responseHeader)
        writer.write(serverProtocolVersion)
        writer.write(securityToken)
        writer.write(serverNonce)
    }
}

/// Closes the channel; servers send no response.
public struct CloseSecureChannelRequest: Hashable, Sendable, OPCUARequest {
    public typealias Response = CloseSecureChannelResponse
    public static let binaryEncodingId: UInt32 = 452

    public var requestHeader: RequestHeader

    public init(requestHeader: RequestHeader = RequestHeader()) {
        self.requestHeader = requestHeader
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        requestHeader = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(requestHeader)
    }
}

/// Defined by the spec for completeness; servers do not send it.
public struct CloseSecureChannelResponse: Hashable, Sendable, OPCUAResponse {
    public static let binaryEncodingId: UInt32 = 455

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
