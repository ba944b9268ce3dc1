import NIOCore

/// Hello (Part 6 §7.1.2.3): the client's offer of buffer sizes and the endpoint it wants.
public struct UATCPHello: Sendable, Equatable {
    public var protocolVersion: UInt32
    public var receiveBufferSize: UInt32
    public var sendBufferSize: UInt32
    /// 0 = no limit.
    public var maxMessageSize: UInt32
    /// 0 = no limit.
    public var maxChunkCount: UInt32
    public var endpointURL: String

    public init(protocolVersion: UInt32 = 0, receiveBufferSize: UInt32, sendBufferSize: UInt32,
                maxMessageSize: UInt32, maxChunkCount: UInt32, endpointURL: String) {
        self.protocolVersion = protocolVersion
        self.receiveBufferSize = receiveBufferSize
        self.sendBufferSize = sendBufferSize
        self.maxMessageSize = maxMessageSize
        self.maxChunkCount = maxChunkCount
        self.endpointURL = endpointURL
    }

    /// The complete chunk (header included).
    public func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        UATCPChunk.writeHeader(.hello, .final, into: &buffer)
        buffer.writeUAUInt32(protocolVersion)
        buffer.writeUAUInt32(receiveBufferSize)
        buffer.writeUAUInt32(sendBufferSize)
        buffer.writeUAUInt32(maxMessageSize)
        buffer.writeUAUInt32(maxChunkCount)
        buffer.writeUAString(endpointURL)
        UATCPChunk.fixSize(of: &buffer, chunkStart: 0)
        return buffer
    }

    /// Decodes the payload of a HEL chunk (after the 8-byte header).
    public init(payload: ByteBuffer) throws(UATCPError) {
        var buffer = payload
        protocolVersion = try buffer.readUAUInt32()
        receiveBufferSize = try buffer.readUAUInt32()
        sendBufferSize = try buffer.readUAUInt32()
        maxMessageSize = try buffer.readUAUInt32()
        maxChunkCount = try buffer.readUAUInt32()
        endpointURL = try buffer.readUAString() ?? ""
    }
}

/// Acknowledge (§7.1.2.4): the server's revised sizes. Its receive buffer bounds what we send and
/// vice versa.
public struct UATCPAcknowledge: Sendable, Equatable {
    public var protocolVersion: UInt32
    public var receiveBufferSize: UInt32
    public var sendBufferSize: UInt32
    public var maxMessageSize: UInt32
    public var maxChunkCount: UInt32

    public init(protocolVersion: UInt32 = 0, receiveBufferSize: UInt32, sendBufferSize: UInt32,
                maxMessageSize: UInt32, maxChunkCount: UInt32) {
        self.protocolVersion = protocolVersion
        self.receiveBufferSize = receiveBufferSize
        self.sendBufferSize = sendBufferSize
        self.maxMessageSize = maxMessageSize
        self.maxChunkCount = maxChunkCount
    }

    public func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        UATCPChunk.writeHeader(.acknowledge, .final, into: &buffer)
        buffer.writeUAUInt32(protocolVersion)
        buffer.writeUAUInt32(receiveBufferSize)
        buffer.writeUAUInt32(sendBufferSize)
        buffer.writeUAUInt32(maxMessageSize)
        buffer.writeUAUInt32(maxChunkCount)
        UATCPChunk.fixSize(of: &buffer, chunkStart: 0)
        return buffer
    }

    public init(payload: ByteBuffer) throws(UATCPError) {
        var buffer = payload
        protocolVersion = try buffer.readUAUInt32()
        receiveBufferSize = try buffer.readUAUInt32()
        sendBufferSize = try buffer.readUAUInt32()
        maxMessageSize = try buffer.readUAUInt32()
        maxChunkCount = try buffer.readUAUInt32()
    }
}

/// Error (§7.1.2.5): a status code and a reason; the sender closes the connection after it.
public struct UATCPErrorMessage: Sendable, Equatable {
    public var status: UInt32
    public var reason: String?

    public init(status: UInt32, reason: String?) {
        self.status = status
        self.reason = reason
    }

    public func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        UATCPChunk.writeHeader(.error, .final, into: &buffer)
        buffer.writeUAUInt32(status)
        buffer.writeUAString(reason)
        UATCPChunk.fixSize(of: &buffer, chunkStart: 0)
        return buffer
    }

    public init(payload: ByteBuffer) throws(UATCPError) {
        var buffer = payload
        status = try buffer.readUAUInt32()
        reason = try buffer.readUAString()
    }
}

/// ReverseHello (§7.1.2.6): a server dialling out to a client announces itself. Decoded so a
/// client meeting one can say so clearly; this client does not accept reverse connections.
public struct UATCPReverseHello: Sendable, Equatable {
    public var serverURI: String?
    public var endpointURL: String?

    public init(serverURI: String?, endpointURL: String?) {
        self.serverURI = serverURI
        self.endpointURL = endpointURL
    }

    public func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        UATCPChunk.writeHeader(.reverseHello, .final, into: &buffer)
        buffer.writeUAString(serverURI)
        buffer.writeUAString(endpointURL)
        UATCPChunk.fixSize(of: &buffer, chunkStart: 0)
        return buffer
    }

    public init(payload: ByteBuffer) throws(UATCPError) {
        var buffer = payload
        serverURI = try buffer.readUAString()
        endpointURL = try buffer.readUAString()
    }
}
