import NIOCore
import OPCUA

/// Subscription services and the publishing cycle (Part 4 §5.13). Each subscription has a timer on
/// the connection's event loop firing every publishing interval: it collects the items whose value
/// changed since the last message and answers one held Publish request with them, or sends a
/// keep-alive every `maxKeepAliveCount` empty cycles. Publish requests that find nothing to send
/// are held by the session until a cycle needs them.
extension OPCUASimulatorHandler {
    // MARK: Subscriptions

    func createSubscription(_ request: CreateSubscriptionRequest, requestId: UInt32) throws {
        let session = try activeSession(request.requestHeader)
        let subscription = OPCUASimulatorSubscription(id: shared.takeSubscriptionId(), round: shared.values.round.number)
        subscription.revise(interval: request.requestedPublishingInterval, lifetime: request.requestedLifetimeCount,
                            keepAlive: request.requestedMaxKeepAliveCount)
        subscription.maxNotificationsPerPublish = request.maxNotificationsPerPublish
        subscription.publishingEnabled = request.publishingEnabled
        session.subscriptions[subscription.id] = subscription
        schedule(subscription, of: session, first: true)
        send(CreateSubscriptionResponse(
            responseHeader: responseHeader(request.requestHeader.requestHandle), subscriptionId: subscription.id,
            revisedPublishingInterval: subscription.publishingInterval,
            revisedLifetimeCount: subscription.lifetimeCount, revisedMaxKeepAliveCount: subscription.maxKeepAliveCount),
             requestId: requestId, requestHandle: request.requestHeader.requestHandle)
    }

    func modifySubscription(_ request: ModifySubscriptionRequest, requestId: UInt32) throws {
        let session = try activeSession(request.requestHeader)
        guard let subscription = session.subscriptions[request.subscriptionId] else {
            throw OPCUASimulatorFault(.badSubscriptionIdInvalid)
        }
        let oldInterval = subscription.publishingInterval
        subscription.revise(interval: request.requestedPublishingInterval, lifetime: request.requestedLifetimeCount,
                            keepAlive: request.requestedMaxKeepAliveCount)
        subscription.maxNotificationsPerPublish = request.maxNotificationsPerPublish
        if subscription.publishingInterval != oldInterval {
            subscription.timer?.cancel()
            schedule(subscription, of: session, first: true)
        }
        send(ModifySubscriptionResponse(
            responseHeader: responseHeader(request.requestHeader.requestHandle),
            revisedPublishingInterval: subscription.publishingInterval,
            revisedLifetimeCount: subscription.lifetimeCount, revisedMaxKeepAliveCount: subscription.maxKeepAliveCount),
             requestId: requestId, requestHandle: request.requestHeader.requestHandle)
    }

    func setPublishingMode(_ request: SetPublishingModeRequest, requestId: UInt32) throws {
        let session = try activeSession(request.requestHeader)
        guard !request.subscriptionIds.isEmpty else { throw OPCUASimulatorFault(.badNothingToDo) }
        let results = request.subscriptionIds.map { id -> StatusCode in
            guard let subscription = session.subscriptions[id] else { return .badSubscriptionIdInvalid }
            subscription.publishingEnabled = request.publishingEnabled
            return .good
        }
        send(SetPublishingModeResponse(responseHeader: responseHeader(request.requestHeader.requestHandle), results: results),
             requestId: requestId, requestHandle: request.requestHeader.requestHandle)
    }

    func deleteSubscriptions(_ request: DeleteSubscriptionsRequest, requestId: UInt32) throws {
        let session = try activeSession(request.requestHeader)
        guard !request.subscriptionIds.isEmpty else { throw OPCUASimulatorFault(.badNothingToDo) }
        let results = request.subscriptionIds.map { id -> StatusCode in
            guard let subscription = session.subscriptions.removeValue(forKey: id) else { return .badSubscriptionIdInvalid }
            subscription.timer?.cancel()
            return .good
        }
        send(DeleteSubscriptionsResponse(responseHeader: responseHeader(request.requestHeader.requestHandle),
                                         results: results),
             requestId: requestId, requestHandle: request.requestHeader.requestHandle)
        if session.subscriptions.isEmpty { answerHeldPublishRequests(of: session, with: .badNoSubscription) }
    }

    // MARK: Monitored items

    func createMonitoredItems(_ request: CreateMonitoredItemsRequest, requestId: UInt32) throws {
        let session = try activeSession(request.requestHeader)
        guard let subscription = session.subscriptions[request.subscriptionId] else {
            throw OPCUASimulatorFault(.badSubscriptionIdInvalid)
        }
        guard request.timestampsToReturn != .invalid else { throw OPCUASimulatorFault(.badTimestampsToReturnInvalid) }
        guard !request.itemsToCreate.isEmpty else { throw OPCUASimulatorFault(.badNothingToDo) }
        let space = shared.space
        let round = shared.values.round
        let results = request.itemsToCreate.map { create -> MonitoredItemCreateResult in
            let target = create.itemToMonitor
            guard let node = space.node(target.nodeId) else { return MonitoredItemCreateResult(statusCode: .badNodeIdUnknown) }
            // Only attributes the node has can be monitored.
            let current = space.read(node, attribute: target.attributeId, round: round, timestamps: .neither)
            if current.effectiveStatus == .badAttributeIdInvalid {
                return MonitoredItemCreateResult(statusCode: .badAttributeIdInvalid)
            }
            let filter = create.requestedParameters.filter
            guard filter.isNull || filter.holds(DataChangeFilter.self) else {
                return MonitoredItemCreateResult(statusCode: .badFilterNotAllowed)
            }
            let itemId = subscription.add(OPCUASimulatorMonitoredItem(
                clientHandle: create.requestedParameters.clientHandle, node: node, attribute: target.attributeId,
                timestamps: request.timestampsToReturn, reporting: create.monitoringMode == .reporting,
                changesEveryRound: space.changesEveryRound(node, attribute: target.attributeId)))
            // Values are new once a second and sampled when they change: any requested rate is met;
            // -1 means "the publishing interval".
            let sampling = create.requestedParameters.samplingInterval
            return MonitoredItemCreateResult(
                statusCode: .good, monitoredItemId: itemId,
                revisedSamplingInterval: sampling < 0 || !sampling.isFinite ? subscription.publishingInterval : sampling,
                revisedQueueSize: 1)
        }
        send(CreateMonitoredItemsResponse(responseHeader: responseHeader(request.requestHeader.requestHandle),
                                          results: results),
             requestId: requestId, requestHandle: request.requestHeader.requestHandle)
    }

    func deleteMonitoredItems(_ request: DeleteMonitoredItemsRequest, requestId: UInt32) throws {
        let session = try activeSession(request.requestHeader)
        guard let subscription = session.subscriptions[request.subscriptionId] else {
            throw OPCUASimulatorFault(.badSubscriptionIdInvalid)
        }
        guard !request.monitoredItemIds.isEmpty else { throw OPCUASimulatorFault(.badNothingToDo) }
        let results = request.monitoredItemIds.map { subscription.remove($0) ? StatusCode.good : .badMonitoredItemIdInvalid }
        send(DeleteMonitoredItemsResponse(responseHeader: responseHeader(request.requestHeader.requestHandle),
                                          results: results),
             requestId: requestId, requestHandle: request.requestHeader.requestHandle)
    }

    // MARK: Publish

    func publish(_ request: PublishRequest, requestId: UInt32) throws {
        let session = try activeSession(request.requestHeader)
        guard !session.subscriptions.isEmpty else { throw OPCUASimulatorFault(.badNoSubscription) }
        let results = request.subscriptionAcknowledgements.map { ack -> StatusCode in
            session.subscriptions[ack.subscriptionId]?.acknowledge(ack.sequenceNumber) ?? .badSubscriptionIdInvalid
        }
        let hint = request.requestHeader.timeoutHint
        session.publishRequests.append(OPCUASimulatorPendingPublish(
            requestId: requestId, requestHandle: request.requestHeader.requestHandle, results: results,
            deadline: hint == 0 ? nil : .now() + .milliseconds(Int64(hint))))
        if session.publishRequests.count > OPCUASimulatorSession.maxPublishRequests {
            let oldest = session.publishRequests.removeFirst()
            fault(.badTooManyPublishRequests, requestId: oldest.requestId, requestHandle: oldest.requestHandle)
        }
        // A subscription that had something to send while no request was held gets this one now.
        for subscription in session.subscriptions.values.sorted(by: { $0.id < $1.id })
            where subscription.waitingForRequest {
            serve(subscription, of: session)
            if session.publishRequests.isEmpty { break }
        }
    }

    /// Notification messages are not kept for retransmission (the data is a second old anyway).
    func republish(_ request: RepublishRequest, requestId: UInt32) throws {
        let session = try activeSession(request.requestHeader)
        guard session.subscriptions[request.subscriptionId] != nil else { throw OPCUASimulatorFault(.badSubscriptionIdInvalid) }
        throw OPCUASimulatorFault(.badMessageNotAvailable)
    }

    // MARK: Publishing cycle

    /// Arms the subscription's timer for its next publishing interval. Deadlines advance by whole
    /// intervals (no drift); after a stall the cycle restarts from now instead of firing in a burst.
    private func schedule(_ subscription: OPCUASimulatorSubscription, of session: OPCUASimulatorSession, first: Bool) {
        guard let context else { return }
        let interval = TimeAmount.nanoseconds(Int64(subscription.publishingInterval * 1_000_000))
        let now = NIODeadline.now()
        subscription.nextTick = first || subscription.nextTick + interval < now ? now + interval : subscription.nextTick + interval
        let token = session.authenticationToken, id = subscription.id
        subscription.timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: subscription.nextTick) { [weak self] in
            guard let self, let session = self.sessions[token], let subscription = session.subscriptions[id] else { return }
            self.publishingCycle(subscription, of: session)
            self.schedule(subscription, of: session, first: false)
        }
    }

    private func publishingCycle(_ subscription: OPCUASimulatorSubscription, of session: OPCUASimulatorSession) {
        expireHeldPublishRequests(of: session)
        subscription.collect(round: shared.values.round.number)
        if subscription.hasDataToSend {
            subscription.waitingForRequest = true
        } else {
            subscription.keepAliveCounter += 1
            if subscription.keepAliveCounter >= subscription.maxKeepAliveCount { subscription.waitingForRequest = true }
        }
        if subscription.waitingForRequest { serve(subscription, of: session) }
    }

    /// Sends what the subscription owes (data messages while requests last, else one keep-alive) on
    /// the session's held Publish requests; it keeps waiting if they run out first.
    private func serve(_ subscription: OPCUASimulatorSubscription, of session: OPCUASimulatorSession) {
        while subscription.waitingForRequest, !session.publishRequests.isEmpty {
            let pending = session.publishRequests.removeFirst()
            let message: NotificationMessage
            var more = false
            if subscription.hasDataToSend {
                let taken = subscription.takeDataMessage(space: shared.space, round: shared.values.round,
                                                         byteBudget: byteBudget(for: session))
                message = taken.message
                more = taken.more
                shared.counters.notifications.wrappingAdd(taken.count, ordering: .relaxed)
            } else {
                message = subscription.takeKeepAlive()
            }
            subscription.waitingForRequest = more
            shared.counters.publishResponses.wrappingAdd(1, ordering: .relaxed)
            send(PublishResponse(
                responseHeader: responseHeader(pending.requestHandle), subscriptionId: subscription.id,
                availableSequenceNumbers: subscription.unacknowledged, moreNotifications: more,
                notificationMessage: message, results: pending.results),
                 requestId: pending.requestId, requestHandle: pending.requestHandle)
        }
    }

    /// How many notification bytes fit in one Publish response: the client's maxMessageSize (Hello),
    /// its maxResponseMessageSize (CreateSession) and its chunk count limit, less room for headers.
    private func byteBudget(for session: OPCUASimulatorSession) -> Int {
        var limit = Int.max
        if let limits = channelLimits {
            if limits.maxSendMessageSize > 0 { limit = min(limit, limits.maxSendMessageSize) }
            if limits.maxSendChunkCount > 0 { limit = min(limit, limits.maxSendChunkCount * (limits.sendChunkSize - 64)) }
        }
        if session.maxResponseMessageSize > 0 { limit = min(limit, session.maxResponseMessageSize) }
        return limit == Int.max ? Int.max : max(limit - 4096, 1)
    }

    /// Held Publish requests whose client has stopped waiting get BadTimeout (Part 4 §5.13.5).
    private func expireHeldPublishRequests(of session: OPCUASimulatorSession) {
        let now = NIODeadline.now()
        while let first = session.publishRequests.first, let deadline = first.deadline, deadline < now {
            session.publishRequests.removeFirst()
            fault(.badTimeout, requestId: first.requestId, requestHandle: first.requestHandle)
        }
    }

    func answerHeldPublishRequests(of session: OPCUASimulatorSession, with status: StatusCode) {
        let held = session.publishRequests
        session.publishRequests.removeAll()
        for pending in held { fault(status, requestId: pending.requestId, requestHandle: pending.requestHandle) }
    }

    /// A session that ends (CloseSession or connection loss): its timers stop, the counters know.
    func discard(_ session: OPCUASimulatorSession) {
        for subscription in session.subscriptions.values { subscription.timer?.cancel() }
        session.subscriptions.removeAll()
        shared.counters.activeSessions.wrappingAdd(-1, ordering: .relaxed)
    }
}
