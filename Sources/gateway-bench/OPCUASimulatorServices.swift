import NIOCore
import OPCUA

/// A service that fails as a whole: answered with a ServiceFault carrying `status`.
struct OPCUASimulatorFault: Error {
    var status: StatusCode
    init(_ status: StatusCode) { self.status = status }
}

/// Service dispatch and the discovery, session, attribute and view services. Subscription and
/// publish services are in OPCUASimulatorPublishing.swift.
extension OPCUASimulatorHandler {
    /// One complete MSG body: encoding NodeId, then the request (which starts with its header).
    func handleService(requestId: UInt32, body: ByteBuffer) {
        var reader = OPCUABinaryReader(body)
        let typeId: NodeId
        let header: RequestHeader
        do {
            typeId = try NodeId(from: &reader)
            var peek = reader
            header = try RequestHeader(from: &peek)
        } catch {
            fault(.badDecodingError, requestId: requestId, requestHandle: 0)
            return
        }
        let handle = header.requestHandle
        do {
            switch typeId.namespaceZeroNumeric {
            case GetEndpointsRequest.binaryEncodingId:
                _ = try GetEndpointsRequest(from: &reader)
                send(GetEndpointsResponse(responseHeader: responseHeader(handle), endpoints: [shared.endpoint]),
                     requestId: requestId, requestHandle: handle)
            case CreateSessionRequest.binaryEncodingId:
                try createSession(try CreateSessionRequest(from: &reader), requestId: requestId)
            case ActivateSessionRequest.binaryEncodingId:
                try activateSession(try ActivateSessionRequest(from: &reader), requestId: requestId)
            case CloseSessionRequest.binaryEncodingId:
                try closeSession(try CloseSessionRequest(from: &reader), requestId: requestId)
            case ReadRequest.binaryEncodingId:
                try read(try ReadRequest(from: &reader), requestId: requestId)
            case BrowseRequest.binaryEncodingId:
                try browse(try BrowseRequest(from: &reader), requestId: requestId)
            case BrowseNextRequest.binaryEncodingId:
                try browseNext(try BrowseNextRequest(from: &reader), requestId: requestId)
            case TranslateBrowsePathsToNodeIdsRequest.binaryEncodingId:
                let request = try TranslateBrowsePathsToNodeIdsRequest(from: &reader)
                _ = try activeSession(request.requestHeader)
                guard !request.browsePaths.isEmpty else { throw OPCUASimulatorFault(.badNothingToDo) }
                send(TranslateBrowsePathsToNodeIdsResponse(responseHeader: responseHeader(handle),
                                                           results: request.browsePaths.map(shared.space.translate)),
                     requestId: requestId, requestHandle: handle)
            case CreateSubscriptionRequest.binaryEncodingId:
                try createSubscription(try CreateSubscriptionRequest(from: &reader), requestId: requestId)
            case ModifySubscriptionRequest.binaryEncodingId:
                try modifySubscription(try ModifySubscriptionRequest(from: &reader), requestId: requestId)
            case SetPublishingModeRequest.binaryEncodingId:
                try setPublishingMode(try SetPublishingModeRequest(from: &reader), requestId: requestId)
            case DeleteSubscriptionsRequest.binaryEncodingId:
                try deleteSubscriptions(try DeleteSubscriptionsRequest(from: &reader), requestId: requestId)
            case CreateMonitoredItemsRequest.binaryEncodingId:
                try createMonitoredItems(try CreateMonitoredItemsRequest(from: &reader), requestId: requestId)
            case DeleteMonitoredItemsRequest.binaryEncodingId:
                try deleteMonitoredItems(try DeleteMonitoredItemsRequest(from: &reader), requestId: requestId)
            case PublishRequest.binaryEncodingId:
                try publish(try PublishRequest(from: &reader), requestId: requestId)
            case RepublishRequest.binaryEncodingId:
                try republish(try RepublishRequest(from: &reader), requestId: requestId)
            default:
                // Write, Call, history, node management, ...: not part of the load generator.
                throw OPCUASimulatorFault(.badServiceUnsupported)
            }
        } catch let fault as OPCUASimulatorFault {
            self.fault(fault.status, requestId: requestId, requestHandle: handle)
        } catch {
            self.fault(.badDecodingError, requestId: requestId, requestHandle: handle)
        }
    }

    /// The session a request's authentication token names; it must be activated.
    func activeSession(_ header: RequestHeader) throws(OPCUASimulatorFault) -> OPCUASimulatorSession {
        guard let session = sessions[header.authenticationToken] else { throw OPCUASimulatorFault(.badSessionIdInvalid) }
        guard session.activated else { throw OPCUASimulatorFault(.badSessionNotActivated) }
        return session
    }

    // MARK: Sessions

    private func createSession(_ request: CreateSessionRequest, requestId: UInt32) throws {
        let token = NodeId.opaque(Self.randomBytes(32), namespace: 0)
        let session = OPCUASimulatorSession(
            sessionId: .numeric(shared.takeSessionId(), namespace: 1), authenticationToken: token,
            maxResponseMessageSize: Int(request.maxResponseMessageSize))
        sessions[token] = session
        shared.counters.sessions.wrappingAdd(1, ordering: .relaxed)
        shared.counters.activeSessions.wrappingAdd(1, ordering: .relaxed)
        let timeout = request.requestedSessionTimeout.isFinite
            ? min(max(request.requestedSessionTimeout, 10_000), 3_600_000) : 3_600_000
        send(CreateSessionResponse(
            responseHeader: responseHeader(request.requestHeader.requestHandle),
            sessionId: session.sessionId, authenticationToken: token, revisedSessionTimeout: timeout,
            serverNonce: Self.randomBytes(32), serverCertificate: nil, serverEndpoints: [shared.endpoint],
            maxRequestMessageSize: UInt32(16 * 1024 * 1024)),
             requestId: requestId, requestHandle: request.requestHeader.requestHandle)
    }

    /// Anonymous and user-name identities are accepted as they are (a load generator checks no passwords).
    private func activateSession(_ request: ActivateSessionRequest, requestId: UInt32) throws {
        guard let session = sessions[request.requestHeader.authenticationToken] else {
            throw OPCUASimulatorFault(.badSessionIdInvalid)
        }
        let identity = request.userIdentityToken
        guard identity.isNull || identity.holds(AnonymousIdentityToken.self) || identity.holds(UserNameIdentityToken.self)
        else { throw OPCUASimulatorFault(.badIdentityTokenInvalid) }
        session.activated = true
        send(ActivateSessionResponse(
            responseHeader: responseHeader(request.requestHeader.requestHandle), serverNonce: Self.randomBytes(32),
            results: request.clientSoftwareCertificates.map { _ in .good }),
             requestId: requestId, requestHandle: request.requestHeader.requestHandle)
    }

    private func closeSession(_ request: CloseSessionRequest, requestId: UInt32) throws {
        guard let session = sessions.removeValue(forKey: request.requestHeader.authenticationToken) else {
            throw OPCUASimulatorFault(.badSessionIdInvalid)
        }
        // Publish requests still held are answered before the session goes (Part 4 §5.6.4).
        for pending in session.publishRequests {
            fault(.badSessionClosed, requestId: pending.requestId, requestHandle: pending.requestHandle)
        }
        session.publishRequests.removeAll()
        discard(session)
        send(CloseSessionResponse(responseHeader: responseHeader(request.requestHeader.requestHandle)),
             requestId: requestId, requestHandle: request.requestHeader.requestHandle)
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: .min ... .max) }
    }

    // MARK: Attributes and views

    private func read(_ request: ReadRequest, requestId: UInt32) throws {
        _ = try activeSession(request.requestHeader)
        guard request.timestampsToReturn != .invalid else { throw OPCUASimulatorFault(.badTimestampsToReturnInvalid) }
        guard !request.nodesToRead.isEmpty else { throw OPCUASimulatorFault(.badNothingToDo) }
        let space = shared.space
        let round = shared.values.round
        let results = request.nodesToRead.map { item -> DataValue in
            guard let node = space.node(item.nodeId) else { return DataValue(status: .badNodeIdUnknown) }
            return space.read(node, attribute: item.attributeId, round: round, timestamps: request.timestampsToReturn)
        }
        send(ReadResponse(responseHeader: responseHeader(request.requestHeader.requestHandle), results: results),
             requestId: requestId, requestHandle: request.requestHeader.requestHandle)
    }

    private func browse(_ request: BrowseRequest, requestId: UInt32) throws {
        let session = try activeSession(request.requestHeader)
        guard request.view.viewId.isNull else { throw OPCUASimulatorFault(.badViewIdUnknown) }
        guard !request.nodesToBrowse.isEmpty else { throw OPCUASimulatorFault(.badNothingToDo) }
        let space = shared.space
        let maxPerNode = request.requestedMaxReferencesPerNode == 0 ? Int.max : Int(request.requestedMaxReferencesPerNode)
        let results = request.nodesToBrowse.map { description -> BrowseResult in
            guard let node = space.node(description.nodeId) else { return BrowseResult(statusCode: .badNodeIdUnknown) }
            guard description.browseDirection != .invalid else {
                return BrowseResult(statusCode: StatusCode(rawValue: 0x804D_0000))  // BadBrowseDirectionInvalid
            }
            return Self.page(space.browse(node, description), maxPerResult: maxPerNode, session: session)
        }
        send(BrowseResponse(responseHeader: responseHeader(request.requestHeader.requestHandle), results: results),
             requestId: requestId, requestHandle: request.requestHeader.requestHandle)
    }

    private func browseNext(_ request: BrowseNextRequest, requestId: UInt32) throws {
        let session = try activeSession(request.requestHeader)
        guard !request.continuationPoints.isEmpty else { throw OPCUASimulatorFault(.badNothingToDo) }
        let results = request.continuationPoints.map { point -> BrowseResult in
            guard let continuation = session.takeContinuation(point) else {
                return BrowseResult(statusCode: .badContinuationPointInvalid)
            }
            if request.releaseContinuationPoints { return BrowseResult() }
            return Self.page(continuation.remaining, maxPerResult: continuation.maxPerResult, session: session)
        }
        send(BrowseNextResponse(responseHeader: responseHeader(request.requestHeader.requestHandle), results: results),
             requestId: requestId, requestHandle: request.requestHeader.requestHandle)
    }

    /// The first `maxPerResult` references; the rest behind a continuation point for BrowseNext.
    private static func page(_ references: [ReferenceDescription], maxPerResult: Int,
                             session: OPCUASimulatorSession) -> BrowseResult {
        guard references.count > maxPerResult else { return BrowseResult(references: references) }
        let point = session.storeContinuation(OPCUASimulatorContinuation(
            remaining: Array(references[maxPerResult...]), maxPerResult: maxPerResult))
        return BrowseResult(continuationPoint: point, references: Array(references[..<maxPerResult]))
    }
}
