import NIOCore
import OPCUA

/// The server side of one UA TCP connection: Hello/Acknowledge, OpenSecureChannel (issue and renew,
/// SecurityPolicy None), service requests in MSG chunks, CloseSecureChannel. Everything runs
/// synchronously on the connection's event loop, so the sessions and subscriptions below need no
/// locks; only the current round and the counters are shared (see OPCUASimulatorShared).
/// Services are in OPCUASimulatorServices.swift, subscriptions in OPCUASimulatorPublishing.swift.
final class OPCUASimulatorHandler: ChannelInboundHandler {
    typealias InboundIn = UATCPChunk
    typealias OutboundOut = ByteBuffer

    private enum State { case awaitingHello, awaitingOpen, open, closed }

    let shared: OPCUASimulatorShared
    var context: ChannelHandlerContext?
    private var state = State.awaitingHello
    private var codec: SecureChannelCodec?
    private var tokenId: UInt32 = 0
    var sessions: [NodeId: OPCUASimulatorSession] = [:]

    /// The sizes agreed in Hello/Acknowledge (nil before the Hello).
    var channelLimits: SecureChannelLimits? { codec?.limits }

    init(shared: OPCUASimulatorShared) {
        self.shared = shared
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelInactive(context: ChannelHandlerContext) {
        state = .closed
        for session in sessions.values { discard(session) }
        sessions.removeAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The chunk decoder refused the byte stream (unknown type, oversized chunk): say so, then close.
        fail(status: .badCommunicationError, reason: "\(error)")
    }

    // MARK: Inbound chunks

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let chunk = unwrapInboundIn(data)
        do {
            switch (chunk.messageType, state) {
            case (.hello, .awaitingHello):
                try acknowledge(UATCPHello(payload: chunk.payload))
            case (.openSecureChannel, .awaitingOpen), (.openSecureChannel, .open),
                 (.message, .open), (.closeSecureChannel, .open):
                try receive(chunk)
            case (_, .closed):
                return
            default:
                fail(status: .badCommunicationError, reason: "unexpected \(chunk.messageType.name) message")
            }
        } catch {
            fail(status: .badCommunicationError, reason: "\(error)")
        }
    }

    /// Hello → Acknowledge. Our chunks may be as large as the client's receive buffer (up to 1 MiB,
    /// fewer syscalls for large Publish responses); messages respect its maxMessageSize/chunk count.
    private func acknowledge(_ hello: UATCPHello) throws {
        let minimum = UInt32(SecureChannelLimits.minimumChunkSize)
        guard hello.receiveBufferSize >= minimum, hello.sendBufferSize >= minimum else {
            throw UATCPError.malformed("Hello buffer sizes \(hello.receiveBufferSize)/\(hello.sendBufferSize) below \(minimum)")
        }
        let receive = min(UInt32(OPCUASimulatorServer.receiveBufferSize), hello.sendBufferSize)
        let send = min(1 << 20, hello.receiveBufferSize)
        let maxMessage = 16 * 1024 * 1024
        let ack = UATCPAcknowledge(receiveBufferSize: receive, sendBufferSize: send,
                                   maxMessageSize: UInt32(maxMessage), maxChunkCount: 0)
        codec = SecureChannelCodec(security: OPCUASecurityNone(), limits: SecureChannelLimits(
            sendChunkSize: Int(send), maxSendMessageSize: Int(hello.maxMessageSize),
            maxSendChunkCount: Int(hello.maxChunkCount), receiveChunkSize: Int(receive),
            maxReceiveMessageSize: maxMessage, maxReceiveChunkCount: 0))
        state = .awaitingOpen
        context?.writeAndFlush(wrapOutboundOut(ack.encoded()), promise: nil)
    }

    /// An OPN, MSG or CLO chunk: reassembled by the codec, then handled as a whole message.
    private func receive(_ chunk: UATCPChunk) throws {
        guard var codec else { return }
        let inbound = try codec.decode(chunk)
        self.codec = codec
        guard case let .message(type, requestId, body)? = inbound else { return }  // intermediate or aborted
        switch type {
        case .openSecureChannel: try openSecureChannel(requestId: requestId, body: body)
        case .closeSecureChannel: close()
        default: handleService(requestId: requestId, body: body)
        }
    }

    private func openSecureChannel(requestId: UInt32, body: ByteBuffer) throws {
        var reader = OPCUABinaryReader(body)
        let typeId = try NodeId(from: &reader)
        guard typeId.namespaceZeroNumeric == OpenSecureChannelRequest.binaryEncodingId else {
            throw UATCPError.malformed("OPN carries \(typeId), not an OpenSecureChannelRequest")
        }
        let request = try OpenSecureChannelRequest(from: &reader)
        guard request.securityMode == .none else {
            fail(status: StatusCode(rawValue: 0x80E6_0000), reason: "only SecurityPolicy None is offered")  // BadSecurityModeRejected
            return
        }
        let channelId: UInt32
        switch (request.requestType, state) {
        case (.issue, .awaitingOpen):
            channelId = shared.takeChannelId()
        case (.renew, .open):
            channelId = codec?.channelId ?? 0
        default:
            throw UATCPError.malformed("OpenSecureChannel \(request.requestType) on a channel that is \(state)")
        }
        tokenId &+= 1
        let lifetime = min(max(request.requestedLifetime, 60_000), 3_600_000)
        // Installed before encoding: the response's header carries the channel id.
        codec?.install(channelId: channelId, tokenId: tokenId, keys: .empty)
        state = .open
        let response = OpenSecureChannelResponse(
            responseHeader: responseHeader(request.requestHeader.requestHandle),
            securityToken: ChannelSecurityToken(channelId: channelId, tokenId: tokenId, createdAt: .now,
                                                revisedLifetime: lifetime),
            serverNonce: [])
        send(response, type: .openSecureChannel, requestId: requestId, requestHandle: request.requestHeader.requestHandle)
    }

    // MARK: Sending

    func responseHeader(_ requestHandle: UInt32, _ status: StatusCode = .good) -> ResponseHeader {
        ResponseHeader(timestamp: .now, requestHandle: requestHandle, serviceResult: status)
    }

    /// Encodes a response (encoding NodeId + body) and writes it in chunks within the client's limits.
    /// A response too large for those limits is replaced by a BadResponseTooLarge fault.
    func send<R: OPCUAResponse>(_ response: R, type: UATCPMessageType = .message, requestId: UInt32,
                                requestHandle: UInt32) {
        var writer = OPCUABinaryWriter()
        NodeId.numeric(R.binaryEncodingId).encode(to: &writer)
        response.encode(to: &writer)
        guard var codec, let context else { return }
        do {
            let chunks = try codec.encode(type, requestId: requestId, body: writer.buffer)
            self.codec = codec
            for chunk in chunks { context.write(wrapOutboundOut(chunk), promise: nil) }
            context.flush()
        } catch {
            self.codec = codec
            guard R.self != ServiceFault.self else {
                fail(status: .badInternalError, reason: "cannot encode a ServiceFault: \(error)")
                return
            }
            opcuaSimulatorLog("response \(R.self) not sent: \(error)")
            fault(.badResponseTooLarge, requestId: requestId, requestHandle: requestHandle)
        }
    }

    func fault(_ status: StatusCode, requestId: UInt32, requestHandle: UInt32) {
        send(ServiceFault(responseHeader: responseHeader(requestHandle, status)), requestId: requestId,
             requestHandle: requestHandle)
    }

    /// A protocol error: an Error message (Part 6 §7.1.2.5), then the socket closes.
    func fail(status: StatusCode, reason: String) {
        guard state != .closed, let context else { return }
        opcuaSimulatorLog("closing connection: \(reason)")
        state = .closed
        context.writeAndFlush(wrapOutboundOut(UATCPErrorMessage(status: status.rawValue, reason: reason).encoded()),
                              promise: nil)
        context.close(promise: nil)
    }

    /// CloseSecureChannel: no response, the socket closes (channelInactive drops the sessions).
    private func close() {
        state = .closed
        context?.close(promise: nil)
    }
}
