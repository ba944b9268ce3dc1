/// The sizes both sides agreed in Hello/Acknowledge (Part 6 §7.1.2.4). "send" limits are the
/// server's receive limits; "receive" limits are ours. 0 for a message size or chunk count means
/// "no limit" on the wire; here it is kept as 0 and checked as such.
public struct SecureChannelLimits: Sendable, Equatable {
    public var sendChunkSize: Int
    public var maxSendMessageSize: Int
    public var maxSendChunkCount: Int
    public var receiveChunkSize: Int
    public var maxReceiveMessageSize: Int
    public var maxReceiveChunkCount: Int

    public init(sendChunkSize: Int, maxSendMessageSize: Int, maxSendChunkCount: Int,
                receiveChunkSize: Int, maxReceiveMessageSize: Int, maxReceiveChunkCount: Int) {
        self.sendChunkSize = sendChunkSize
        self.maxSendMessageSize = maxSendMessageSize
        self.maxSendChunkCount = maxSendChunkCount
        self.receiveChunkSize = receiveChunkSize
        self.maxReceiveMessageSize = maxReceiveMessageSize
        self.maxReceiveChunkCount = maxReceiveChunkCount
    }

    /// The Part 6 minimum a chunk buffer may be revised to.
    public static let minimumChunkSize = 8192

    /// What the client offers in its Hello and then applies the server's Acknowledge to.
    public init(offer hello: UATCPHello, acknowledge: UATCPAcknowledge) throws(UATCPError) {
        guard acknowledge.receiveBufferSize >= UInt32(Self.minimumChunkSize),
              acknowledge.sendBufferSize >= UInt32(Self.minimumChunkSize) else {
            throw .unacceptableAcknowledge("buffer sizes \(acknowledge.receiveBufferSize)/\(acknowledge.sendBufferSize) below the minimum \(Self.minimumChunkSize)")
        }
        // The server may only shrink what we offered: its send buffer is our receive chunk size.
        sendChunkSize = Int(min(acknowledge.receiveBufferSize, hello.sendBufferSize))
        receiveChunkSize = Int(min(acknowledge.sendBufferSize, hello.receiveBufferSize))
        maxSendMessageSize = Int(acknowledge.maxMessageSize)
        maxSendChunkCount = Int(acknowledge.maxChunkCount)
        maxReceiveMessageSize = Int(hello.maxMessageSize)
        maxReceiveChunkCount = Int(hello.maxChunkCount)
    }
}
