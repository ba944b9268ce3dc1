import NIOCore
import OPCUA
import Testing

/// Subscriptions, monitored items and Publish against asyncua's encoding of the same messages.
@Suite struct ServicesSubscriptionTests {
    typealias F = OPCUAFixtures

    private func header(_ handle: UInt32) -> RequestHeader {
        RequestHeader(authenticationToken: .numeric(1001), timestamp: CodecTest.fixtureTime, requestHandle: handle,
                      timeoutHint: 10000)
    }

    @Test func createModifyAndDeleteSubscriptions() throws {
        let create = try CodecTest.decodeRequest(CreateSubscriptionRequest.self, F.createSubscriptionRequest)
        #expect(create == CreateSubscriptionRequest(
            requestHeader: header(16), requestedPublishingInterval: 500, requestedLifetimeCount: 10000,
            requestedMaxKeepAliveCount: 10))
        let created = try CodecTest.decodeResponse(CreateSubscriptionResponse.self, F.createSubscriptionResponse)
        #expect(created.subscriptionId == 77)
        #expect(created.revisedPublishingInterval == 500)
        #expect(created.revisedMaxKeepAliveCount == 10)

        let modify = try CodecTest.decodeRequest(ModifySubscriptionRequest.self, F.modifySubscriptionRequest)
        #expect(modify.subscriptionId == 77 && modify.requestedPublishingInterval == 1000 && modify.priority == 1)
        let mode = try CodecTest.decodeRequest(SetPublishingModeRequest.self, F.setPublishingModeRequest)
        #expect(!mode.publishingEnabled && mode.subscriptionIds == [77])
        let delete = try CodecTest.decodeRequest(DeleteSubscriptionsRequest.self, F.deleteSubscriptionsRequest)
        #expect(delete.subscriptionIds == [77, 78])
    }

    @Test func monitoredItemsWithADataChangeFilter() throws {
        let request = try CodecTest.decodeRequest(CreateMonitoredItemsRequest.self, F.createMonitoredItemsRequest)
        let filter = DataChangeFilter(trigger: .statusValue, deadbandType: DeadbandType.absolute, deadbandValue: 0.5)
        #expect(request == CreateMonitoredItemsRequest(
            requestHeader: header(20), subscriptionId: 77, timestampsToReturn: .both, itemsToCreate: [
                MonitoredItemCreateRequest(
                    itemToMonitor: ReadValueId(nodeId: .string("Device1.Temp", namespace: 2)),
                    monitoringMode: .reporting,
                    requestedParameters: MonitoringParameters(
                        clientHandle: 1, samplingInterval: 250, filter: ExtensionObject(filter))),
            ]))
        let response = try CodecTest.decodeResponse(CreateMonitoredItemsResponse.self, F.createMonitoredItemsResponse)
        #expect(response.results == [MonitoredItemCreateResult(
            statusCode: .good, monitoredItemId: 5, revisedSamplingInterval: 250, revisedQueueSize: 1)])
        let delete = try CodecTest.decodeRequest(DeleteMonitoredItemsRequest.self, F.deleteMonitoredItemsRequest)
        #expect(delete.subscriptionId == 77 && delete.monitoredItemIds == [5])
    }

    @Test func publishCarriesDataAndStatusChanges() throws {
        let request = try CodecTest.decodeRequest(PublishRequest.self, F.publishRequest)
        #expect(request.subscriptionAcknowledgements == [SubscriptionAcknowledgement(subscriptionId: 77, sequenceNumber: 3)])

        let response = try CodecTest.decodeResponse(PublishResponse.self, F.publishResponse)
        #expect(response.subscriptionId == 77)
        #expect(response.availableSequenceNumbers == [4])
        #expect(response.notificationMessage.sequenceNumber == 4)
        #expect(response.notificationMessage.publishTime == CodecTest.fixtureTime)
        #expect(!response.notificationMessage.isKeepAlive)
        let notifications = try response.notificationMessage.notifications()
        #expect(notifications == [
            .dataChange(DataChangeNotification(monitoredItems: [
                MonitoredItemNotification(clientHandle: 1, value: DataValue(value: .double(21.5), status: .good,
                                                                             sourceTimestamp: CodecTest.fixtureTime)),
                MonitoredItemNotification(clientHandle: 2, value: DataValue(value: .string("on"), status: .good)),
            ])),
            .statusChange(StatusChangeNotification(status: .badTimeout)),
        ])
    }

    @Test func keepAliveAndRepublish() throws {
        let keepAlive = try CodecTest.decodeResponse(PublishResponse.self, F.publishResponseKeepAlive)
        #expect(keepAlive.notificationMessage.isKeepAlive)
        #expect(try keepAlive.notificationMessage.notifications().isEmpty)
        let republish = try CodecTest.decodeRequest(RepublishRequest.self, F.republishRequest)
        #expect(republish.subscriptionId == 77 && republish.retransmitSequenceNumber == 4)
    }

    @Test func unknownNotificationsStayOpaque() throws {
        let events = ExtensionObject(typeId: .numeric(916), body: .binary(ByteBuffer(bytes: [0, 0, 0, 0])))
        let other = ExtensionObject(typeId: .numeric(12345), body: .none)
        let message = NotificationMessage(sequenceNumber: 1, notificationData: [events, other])
        #expect(try message.notifications() == [.events(events), .other(other)])
    }

    /// A Publish response with 1,000 data changes decodes in one pass; values are slices of the input.
    @Test func thousandDataChangesDecode() throws {
        let items = (0..<1000).map { index in
            MonitoredItemNotification(clientHandle: UInt32(index), value: DataValue(
                value: .double(Double(index) / 4), status: .good, sourceTimestamp: CodecTest.fixtureTime))
        }
        let response = PublishResponse(
            subscriptionId: 1, notificationMessage: NotificationMessage(
                sequenceNumber: 9, publishTime: CodecTest.fixtureTime,
                notificationData: [ExtensionObject(DataChangeNotification(monitoredItems: items))]))
        var writer = OPCUABinaryWriter()
        writer.write(NodeId.numeric(PublishResponse.binaryEncodingId))
        writer.write(response)
        #expect(writer.buffer.readableBytes > 1000 * 26)

        let clock = ContinuousClock()
        var decoded: [OPCUANotification] = []
        let elapsed = try clock.measure {
            var reader = OPCUABinaryReader(writer.buffer)
            guard case .response(let publish) = try OPCUAServiceMessage.decode(PublishResponse.self, from: &reader) else {
                Issue.record("expected a PublishResponse")
                return
            }
            decoded = try publish.notificationMessage.notifications()
        }
        guard case .dataChange(let change) = decoded.first else {
            Issue.record("expected a data change")
            return
        }
        #expect(change.monitoredItems == items)
        #expect(elapsed < .seconds(1), "decoding took \(elapsed) (debug build)")
    }
}
