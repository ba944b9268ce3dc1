import Logging
import NIOCore

/// The per-connection NIO handler of the client side: Hello/Acknowledge, OpenSecureChannel (issue and
/// renewal at 75 % of the revised lifetime), MSG requests matched to responses by request id with
/// per-request timeouts, CloseSecureChannel. Lives on its channel's event loop only; the
/// `SecureChannelCodec` does the chunk work and `OPCUAConnection` is the thread-safe face.
final class OPCUASecureChannelHandler: ChannelInboundHandler {
    typealias InboundIn = UATCPChunk
    typealias OutboundOut = ByteBuffer

    struct Configuration: Sendable {
        var hello: UATCPHello
        var security: any OPCUAChannelSecurity
        /// Requested token lifetime in ms.
        var requestedLifetime: UInt32
        var handshakeTimeout: TimeAmount
        var logger: Logger
    }

    private enum State {
        case idle, helloSent, opening, open, closed
    }

    private struct Pending {
        var promise: EventLoopPromise<ByteBuffer>
        var timeout: Scheduled<Void>?
        /// Set for OpenSecureChannel requests: the client nonce the keys derive from.
        var openNonce: [UInt8]?
    }

    private let configuration: Configuration
    private var context: ChannelHandlerContext?
    private var state = State.idle
    private var codec: SecureChannelCodec?
    private var pending: [UInt32: Pending] = [:]
    private var nextRequestId: UInt32 = 1
    private var handshake: EventLoopPromise<Void>?
    private var handshakeTimeout: Scheduled<Void>?
    private var renewal: Scheduled<Void>?
    /// The first thing that went wrong on this channel: what every pending request fails with.
    private var firstError: OPCUAConnectionError?
    private(set) var limits: SecureChannelLimits?
    private(set) var revisedLifetime: UInt32 = 0
    private(set) var tokenRenewals = 0

    init(configuration: Configuration) {
        self.configuration = configuration
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    // MARK: Driving it (called on the event loop by OPCUAConnection)

    func startHandshake(promise: EventLoopPromise<Void>) {
        guard let context, state == .idle else {
            promise.fail(firstError ?? .connectionClosed(reason: "connection not active"))
            return
        }
        handshake = promise
        handshakeTimeout = context.eventLoop.assumeIsolated().scheduleTask(in: configuration.handshakeTimeout) { [weak self] in
            self?.fail(.timeout(what: "Hello/OpenSecureChannel handshake",
                                seconds: Double(self?.configuration.handshakeTimeout.nanoseconds ?? 0) / 1e9))
        }
        state = .helloSent
        context.writeAndFlush(wrapOutboundOut(configuration.hello.encoded()), promise: nil)
    }

    /// Sends a service request body (encoding NodeId + structure) as MSG; the promise gets the
    /// response body or fails on timeout, abort or connection loss.
    func send(_ body: ByteBuffer, what: String, timeout: TimeAmount, promise: EventLoopPromise<ByteBuffer>) {
        guard state == .open, let context else {
            promise.fail(firstError ?? .connectionClosed(reason: "secure channel not open"))
            return
        }
        let requestId = takeRequestId()
        do {
            let chunks = try codec!.encode(.message, requestId: requestId, body: body)
            let scheduled = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
                guard let self, let entry = self.pending.removeValue(forKey: requestId) else { return }
                entry.promise.fail(OPCUAConnectionError.timeout(what: what, seconds: Double(timeout.nanoseconds) / 1e9))
            }
            pending[requestId] = Pending(promise: promise, timeout: scheduled, openNonce: nil)
            for chunk in chunks { context.write(wrapOutboundOut(chunk), promise: nil) }
            context.flush()
        } catch {
            // Too large for the negotiated limits: this request fails, the channel stays usable.
            promise.fail(OPCUAConnectionError.protocolError("\(what): \(error)"))
        }
    }

    /// CloseSecureChannel, then close the socket. Pending requests fail with `connectionClosed`.
    func closeGracefully(promise: EventLoopPromise<Void>?) {
        guard let context else {
            promise?.succeed()
            return
        }
        if state == .open, var codec {
            var writer = OPCUABinaryWriter()
            OPCUAServiceMessage.encode(CloseSecureChannelRequest(requestHeader: RequestHeader(timestamp: .now)), to: &writer)
            if let chunks = try? codec.encode(.closeSecureChannel, requestId: takeRequestId(), body: writer.buffer) {
                for chunk in chunks { context.write(wrapOutboundOut(chunk), promise: nil) }
                context.flush()
            }
            self.codec = codec
        }
        record(.connectionClosed(reason: "closed by the client"))
        state = .closed
        context.close(promise: promise)
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let chunk = unwrapInboundIn(data)
        do {
            try handle(chunk)
        } catch let error as OPCUAConnectionError {
            fail(error)
        } catch {
            fail(.protocolError("\(error)"))
        }
    }

    private func handle(_ chunk: UATCPChunk) throws {
        switch chunk.messageType {
        case .error:
            let message = try UATCPErrorMessage(payload: chunk.payload)
            let status = StatusCode(rawValue: message.status)
            fail(.connectionClosed(reason: "server sent Error \(status)\(message.reason.map { ": \($0)" } ?? "")"))
        case .acknowledge:
            guard state == .helloSent else { throw OPCUAConnectionError.protocolError("unexpected Acknowledge") }
            let ack = try UATCPAcknowledge(payload: chunk.payload)
            let limits = try SecureChannelLimits(offer: configuration.hello, acknowledge: ack)
            self.limits = limits
            codec = SecureChannelCodec(security: configuration.security, limits: limits)
            state = .opening
            try sendOpen(.issue)
        case .hello, .reverseHello:
            throw OPCUAConnectionError.protocolError("a client does not accept \(chunk.messageType.name)")
        case .openSecureChannel, .message, .closeSecureChannel:
            guard var codec, state == .opening || state == .open else {
                throw OPCUAConnectionError.protocolError("\(chunk.messageType.name) before the Acknowledge")
            }
            let inbound = try codec.decode(chunk)
            self.codec = codec
            switch inbound {
            case nil:
                break
            case let .aborted(requestId, status, reason)?:
                let entry = pending.removeValue(forKey: requestId)
                entry?.timeout?.cancel()
                entry?.promise.fail(OPCUAConnectionError.protocolError(
                    "server aborted the response: \(StatusCode(rawValue: status))\(reason.map { " (\($0))" } ?? "")"))
            case let .message(type, requestId, body)?:
                guard let entry = pending.removeValue(forKey: requestId) else { return }  // timed out earlier
                entry.timeout?.cancel()
                if type == .openSecureChannel {
                    try opened(body, clientNonce: entry.openNonce ?? [])
                }
                entry.promise.succeed(body)
            }
        }
    }

    private func sendOpen(_ type: SecurityTokenRequestType) throws {
        guard let context, var codec else { return }
        let nonce = configuration.security.makeNonce()
        let request = OpenSecureChannelRequest(
            requestHeader: RequestHeader(timestamp: .now, requestHandle: 0, timeoutHint: 10_000),
            requestType: type,
            securityMode: MessageSecurityMode(rawValue: Int32(configuration.security.mode.rawValue)) ?? .none,
            clientNonce: nonce,
            requestedLifetime: configuration.requestedLifetime)
        var writer = OPCUABinaryWriter()
        OPCUAServiceMessage.encode(request, to: &writer)
        let requestId = takeRequestId()
        let chunks = try codec.encode(.openSecureChannel, requestId: requestId, body: writer.buffer)
        self.codec = codec
        let promise = context.eventLoop.makePromise(of: ByteBuffer.self)
        // A renewal that gets no answer within the handshake timeout means the channel is dead.
        let timeout = context.eventLoop.assumeIsolated().scheduleTask(in: configuration.handshakeTimeout) { [weak self] in
            guard let self, self.pending.removeValue(forKey: requestId) != nil else { return }
            self.fail(.timeout(what: "OpenSecureChannel (\(type))",
                               seconds: Double(self.configuration.handshakeTimeout.nanoseconds) / 1e9))
        }
        pending[requestId] = Pending(promise: promise, timeout: timeout, openNonce: nonce)
        for chunk in chunks { context.write(wrapOutboundOut(chunk), promise: nil) }
        context.flush()
    }

    private func opened(_ body: ByteBuffer, clientNonce: [UInt8]) throws {
        var reader = OPCUABinaryReader(body)
        switch try OPCUAServiceMessage.decode(OpenSecureChannelResponse.self, from: &reader) {
        case let .fault(fault):
            throw OPCUAConnectionError.connectionClosed(
                reason: "OpenSecureChannel refused: \(fault.responseHeader.serviceResult)")
        case let .response(response):
            guard response.responseHeader.serviceResult.isGood else {
                throw OPCUAConnectionError.connectionClosed(
                    reason: "OpenSecureChannel refused: \(response.responseHeader.serviceResult)")
            }
            let token = response.securityToken
            let keys = configuration.security.deriveSymmetricKeys(clientNonce: clientNonce,
                                                                   serverNonce: response.serverNonce ?? [])
            codec?.install(channelId: token.channelId, tokenId: token.tokenId, keys: keys)
            revisedLifetime = token.revisedLifetime
            scheduleRenewal(lifetimeMilliseconds: token.revisedLifetime)
            if state == .opening {
                state = .open
                handshakeTimeout?.cancel()
                handshake?.succeed()
                handshake = nil
            } else {
                tokenRenewals += 1
            }
        }
    }

    /// Renew at 75 % of the revised lifetime (Part 4 §5.5.2), so the new token is in place well
    /// before the old one expires.
    private func scheduleRenewal(lifetimeMilliseconds: UInt32) {
        renewal?.cancel()
        guard let context, lifetimeMilliseconds > 0 else { return }
        let delay = TimeAmount.milliseconds(Int64(lifetimeMilliseconds) * 3 / 4)
        renewal = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [weak self] in
            guard let self, self.state == .open else { return }
            do {
                try self.sendOpen(.renew)
            } catch {
                self.fail(.protocolError("token renewal failed: \(error)"))
            }
        }
    }

    private func takeRequestId() -> UInt32 {
        let id = nextRequestId
        nextRequestId = id == UInt32.max ? 1 : id + 1
        return id
    }

    // MARK: Failure

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? OPCUAConnectionError {
            fail(error)
        } else if let error = error as? UATCPError {
            fail(.protocolError(error.description))
        } else {
            fail(.connectionClosed(reason: "\(error)"))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        record(.connectionClosed(reason: "the server closed the connection"))
        state = .closed
        failPending()
        context.fireChannelInactive()
    }

    private func record(_ error: OPCUAConnectionError) {
        if firstError == nil { firstError = error }
    }

    /// Records the error, fails everything waiting and closes the socket.
    private func fail(_ error: OPCUAConnectionError) {
        record(error)
        configuration.logger.debug("OPC-UA channel failing", metadata: ["error": "\(error)"])
        state = .closed
        failPending()
        context?.close(promise: nil)
    }

    private func failPending() {
        let error = firstError ?? .connectionClosed(reason: "connection lost")
        renewal?.cancel()
        handshakeTimeout?.cancel()
        handshake?.fail(error)
        handshake = nil
        let entries = pending
        pending.removeAll()
        for entry in entries.values {
            entry.timeout?.cancel()
            entry.promise.fail(error)
        }
    }

    /// What closed the channel (valid once it is closed).
    var closeReason: OPCUAConnectionError {
        firstError ?? .connectionClosed(reason: "connection lost")
    }
}
