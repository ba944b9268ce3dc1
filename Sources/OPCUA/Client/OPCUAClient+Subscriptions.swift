import Logging

/// Subscriptions: creation, monitored items in batches, the publish loop (N requests outstanding,
/// acknowledgements, keep-alives, republish on a sequence gap) and re-creation after a reconnect.
extension OPCUAClient {
    /// Creates a subscription on the server and remembers it, so it is re-created (with all its
    /// monitored items) on every new session.
    public func createSubscription(_ parameters: OPCUASubscriptionParameters = OPCUASubscriptionParameters())
        async throws -> OPCUASubscriptionID
    {
        guard let current = active else { throw OPCUAClientError.notConnected(reason: lastError) }
        let id = OPCUASubscriptionID(rawValue: nextSubscriptionId)
        nextSubscriptionId += 1
        var record = OPCUASubscriptionRecord(parameters: parameters)
        try await createOnServer(&record, on: current)
        subscriptions[id] = record
        startPublishing()
        return id
    }

    /// Adds monitored items (sent in batches of `maxOperationsPerRequest`, or the server's
    /// MaxMonitoredItemsPerCall when lower). Items the server refuses
    /// are reported in the results and still retried after a reconnect.
    @discardableResult
    public func monitor(_ items: [OPCUAMonitoredItem], in id: OPCUASubscriptionID) async throws -> [OPCUAMonitoredItemResult] {
        guard subscriptions[id] != nil else { throw OPCUAClientError.unknownSubscription(id.rawValue) }
        guard let current = active, let serverId = subscriptions[id]?.serverId else {
            throw OPCUAClientError.notConnected(reason: lastError)
        }
        let (results, serverItemIds) = try await createItems(items, subscriptionId: serverId, on: current)
        subscriptions[id]?.items.append(contentsOf: items)
        subscriptions[id]?.serverItemIds.merge(serverItemIds) { $1 }
        return results
    }

    /// Stops monitoring the items with these client handles.
    public func stopMonitoring(clientHandles: [UInt32], in id: OPCUASubscriptionID) async throws {
        guard var record = subscriptions[id] else { throw OPCUAClientError.unknownSubscription(id.rawValue) }
        let handles = Set(clientHandles)
        let serverIds = handles.compactMap { record.serverItemIds[$0] }
        record.items.removeAll { handles.contains($0.clientHandle) }
        for handle in handles { record.serverItemIds[handle] = nil }
        subscriptions[id] = record
        if let current = active, let serverId = record.serverId, !serverIds.isEmpty {
            _ = try await call(DeleteMonitoredItemsRequest(subscriptionId: serverId, monitoredItemIds: serverIds), on: current)
        }
    }

    /// Deletes the subscription on the server and forgets it.
    public func deleteSubscription(_ id: OPCUASubscriptionID) async throws {
        guard let record = subscriptions.removeValue(forKey: id) else { throw OPCUAClientError.unknownSubscription(id.rawValue) }
        if let current = active, let serverId = record.serverId {
            _ = try await call(DeleteSubscriptionsRequest(subscriptionIds: [serverId]), on: current)
        }
    }

    /// The server ids of the current session's subscriptions (for tests and diagnostics).
    public func serverSubscriptionId(_ id: OPCUASubscriptionID) -> UInt32? { subscriptions[id]?.serverId }

    // MARK: Creation

    private func createOnServer(_ record: inout OPCUASubscriptionRecord, on current: Active) async throws {
        let parameters = record.parameters
        let response = try await call(CreateSubscriptionRequest(
            requestedPublishingInterval: parameters.publishingInterval.opcuaMilliseconds,
            requestedLifetimeCount: parameters.lifetimeCount,
            requestedMaxKeepAliveCount: parameters.maxKeepAliveCount,
            maxNotificationsPerPublish: parameters.maxNotificationsPerPublish,
            publishingEnabled: true,
            priority: parameters.priority), on: current)
        record.serverId = response.subscriptionId
        record.revisedPublishingInterval = response.revisedPublishingInterval
        record.revisedMaxKeepAliveCount = response.revisedMaxKeepAliveCount
        record.lastSequenceNumber = nil
        record.serverItemIds = [:]
    }

    private func createItems(_ items: [OPCUAMonitoredItem], subscriptionId: UInt32,
                             on current: Active) async throws -> ([OPCUAMonitoredItemResult], [UInt32: UInt32]) {
        var results: [OPCUAMonitoredItemResult] = []
        var serverIds: [UInt32: UInt32] = [:]
        for batch in batches(items, serverLimit: operationLimits.maxMonitoredItemsPerCall) {
            let requests = batch.map { item in
                MonitoredItemCreateRequest(
                    itemToMonitor: ReadValueId(nodeId: item.nodeId, attributeId: item.attributeId),
                    monitoringMode: .reporting,
                    requestedParameters: MonitoringParameters(
                        clientHandle: item.clientHandle,
                        samplingInterval: item.samplingInterval?.opcuaMilliseconds ?? -1,
                        filter: .null,
                        queueSize: item.queueSize,
                        discardOldest: item.discardOldest))
            }
            let response = try await call(CreateMonitoredItemsRequest(
                subscriptionId: subscriptionId, timestampsToReturn: .both, itemsToCreate: requests), on: current)
            guard response.results.count == batch.count else {
                throw OPCUAClientError.unexpectedResponse(
                    "CreateMonitoredItems returned \(response.results.count) results for \(batch.count) items")
            }
            for (item, result) in zip(batch, response.results) {
                results.append(OPCUAMonitoredItemResult(
                    clientHandle: item.clientHandle, status: result.statusCode,
                    revisedSamplingInterval: result.revisedSamplingInterval, revisedQueueSize: result.revisedQueueSize))
                if result.statusCode.isGood { serverIds[item.clientHandle] = result.monitoredItemId }
            }
        }
        return (results, serverIds)
    }

    /// On a new session: every remembered subscription again, with its items and client handles.
    func recreateSubscriptions(on current: Active) async throws {
        for id in subscriptions.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            guard var record = subscriptions[id] else { continue }
            try await createOnServer(&record, on: current)
            if !record.items.isEmpty, let serverId = record.serverId {
                let (results, serverIds) = try await createItems(record.items, subscriptionId: serverId, on: current)
                record.serverItemIds = serverIds
                let refused = results.filter { !$0.status.isGood }
                if !refused.isEmpty {
                    logger.warning("OPC-UA monitored items refused after reconnect",
                                   metadata: ["count": "\(refused.count)", "first": "\(refused[0].status)"])
                }
            }
            // The record may have gained items while we were awaiting: keep those, take the new ids.
            if var latest = subscriptions[id] {
                latest.serverId = record.serverId
                latest.revisedPublishingInterval = record.revisedPublishingInterval
                latest.revisedMaxKeepAliveCount = record.revisedMaxKeepAliveCount
                latest.lastSequenceNumber = nil
                latest.serverItemIds = record.serverItemIds
                subscriptions[id] = latest
            }
        }
    }

    /// A service call on a given session (not necessarily the current one): counts as traffic and
    /// turns a lost-session status into a reconnect.
    func call<R: OPCUARequest>(_ request: R, on current: Active, timeout: Duration? = nil) async throws -> R.Response {
        do {
            let response = try await OPCUAServiceCall.call(
                request, on: current.connection, authenticationToken: current.session.authenticationToken,
                handle: handles.next(), timeout: timeout ?? options.requestTimeout)
            lastTraffic = .now
            return response
        } catch let OPCUAClientError.serviceFailed(service, status) where Self.meansSessionLost(status) {
            await lose(current, reason: "\(service): \(status)")
            throw OPCUAClientError.serviceFailed(service: service, status: status)
        }
    }

    // MARK: Publishing

    /// Keeps `options.publishRequests` Publish requests outstanding while the session has subscriptions.
    /// The workers end by themselves when the session ends or has no subscription left.
    func startPublishing() {
        guard let current = active, subscriptions.values.contains(where: { $0.serverId != nil }) else { return }
        while publishWorkers < max(1, options.publishRequests) {
            publishWorkers += 1
            Task { await self.publishLoop(current) }
        }
    }

    private func publishLoop(_ session: Active) async {
        defer { publishWorkers -= 1 }
        while !isClosed, let current = active, current.generation == session.generation,
              subscriptions.values.contains(where: { $0.serverId != nil }) {
            let acknowledgements = pendingAcknowledgements
            pendingAcknowledgements.removeAll()
            do {
                let response = try await OPCUAServiceCall.call(
                    PublishRequest(subscriptionAcknowledgements: acknowledgements),
                    on: session.connection, authenticationToken: session.session.authenticationToken,
                    handle: handles.next(), timeout: publishTimeout())
                lastTraffic = .now
                await handle(response, on: session)
            } catch let OPCUAClientError.serviceFailed(_, status) {
                switch status.code {
                case .badNoSubscription, .badTooManyPublishRequests:
                    return
                case .badTimeout:
                    continue
                default:
                    if Self.meansSessionLost(status) {
                        await lose(session, reason: "Publish: \(status)")
                        return
                    }
                    logger.warning("OPC-UA Publish failed", metadata: ["status": "\(status)"])
                    // Not a hot loop on a persistent error: wait one publishing interval.
                    try? await Task.sleep(for: .milliseconds(500))
                }
            } catch OPCUAConnectionError.timeout {
                continue   // the keep-alive read decides whether the server is gone
            } catch {
                return     // connection gone: the supervisor takes over
            }
        }
    }

    /// How long a Publish may be held by the server: up to one keep-alive period, plus the request timeout.
    private func publishTimeout() -> Duration {
        let longest = subscriptions.values.map { $0.revisedPublishingInterval * Double(max($0.revisedMaxKeepAliveCount, 1)) }.max() ?? 0
        return options.requestTimeout + .milliseconds(Int64(longest))
    }

    private func localId(forServer serverId: UInt32) -> OPCUASubscriptionID? {
        subscriptions.first(where: { $0.value.serverId == serverId })?.key
    }

    private func handle(_ response: PublishResponse, on session: Active) async {
        guard let id = localId(forServer: response.subscriptionId), let record = subscriptions[id] else { return }
        let known = record.lastSequenceNumber != nil
        let last = record.lastSequenceNumber ?? 0
        let message = response.notificationMessage
        let sequence = message.sequenceNumber
        let acknowledgement = SubscriptionAcknowledgement(subscriptionId: response.subscriptionId, sequenceNumber: sequence)
        if message.notificationData.isEmpty {
            // A keep-alive carries the number the *next* data message will have: anything between
            // the last one we saw and it was lost.
            if known, sequence > last &+ 1 {
                subscriptions[id]?.lastSequenceNumber = sequence &- 1
                await republish((last &+ 1)...(sequence &- 1), subscription: id, serverId: response.subscriptionId, on: session)
            }
            return
        }
        if known, sequence <= last {
            // Already delivered (two publish responses crossed, or a republished copy): only acknowledge.
            pendingAcknowledgements.append(acknowledgement)
            return
        }
        subscriptions[id]?.lastSequenceNumber = sequence
        if known, sequence > last &+ 1 {
            await republish((last &+ 1)...(sequence &- 1), subscription: id, serverId: response.subscriptionId, on: session)
        }
        deliver(message, subscription: id, on: session)
        pendingAcknowledgements.append(acknowledgement)
    }

    /// Asks the server again for notification messages we never received (at most 100 per gap).
    private func republish(_ gap: ClosedRange<UInt32>, subscription id: OPCUASubscriptionID, serverId: UInt32,
                           on session: Active) async {
        logger.info("OPC-UA sequence gap, republishing", metadata: ["from": "\(gap.lowerBound)", "to": "\(gap.upperBound)"])
        for number in gap.prefix(100) {
            do {
                let response = try await call(RepublishRequest(subscriptionId: serverId, retransmitSequenceNumber: number), on: session)
                deliver(response.notificationMessage, subscription: id, on: session)
                pendingAcknowledgements.append(SubscriptionAcknowledgement(subscriptionId: serverId, sequenceNumber: number))
            } catch OPCUAClientError.serviceFailed(_, let status) where status.code == .badMessageNotAvailable {
                continue
            } catch {
                return
            }
        }
    }

    private func deliver(_ message: NotificationMessage, subscription id: OPCUASubscriptionID, on session: Active) {
        for data in message.notificationData {
            if let change = try? data.decode(as: DataChangeNotification.self) {
                guard !change.monitoredItems.isEmpty else { continue }
                let changes = change.monitoredItems.map {
                    OPCUADataChange(subscription: id, clientHandle: $0.clientHandle, value: $0.value)
                }
                if case .dropped(let oldest) = dataSink.yield(changes) { droppedDataChanges += oldest.count }
            } else if let status = try? data.decode(as: StatusChangeNotification.self), status.status.isBad {
                // The server dropped the subscription (e.g. its lifetime expired): make a new one.
                logger.warning("OPC-UA subscription ended by the server", metadata: ["status": "\(status.status)"])
                Task { await self.recreate(id, on: session) }
            }
        }
    }

    private func recreate(_ id: OPCUASubscriptionID, on session: Active) async {
        guard var record = subscriptions[id], let current = active, current.generation == session.generation else { return }
        do {
            try await createOnServer(&record, on: current)
            if let serverId = record.serverId, !record.items.isEmpty {
                record.serverItemIds = try await createItems(record.items, subscriptionId: serverId, on: current).1
            }
            if subscriptions[id] != nil { subscriptions[id] = record }
            startPublishing()
        } catch {
            logger.warning("OPC-UA subscription re-creation failed", metadata: ["error": "\(error)"])
        }
    }
}
