import Foundation
import GatewayKit
import Logging
import MQTT
import NIOCore
import Testing
import TestSupport
@testable import MQTTConnector

/// The downlink against a real mosquitto: attribute updates, RPCs (one-way, two-way, timeout,
/// reserved get/set, connector RPC), connect/disconnect and attribute requests of devices.
@Suite(.serialized) struct DownlinkBrokerTests {
    static let identity = ConnectorIdentity(name: "MQTT Broker", type: "mqtt", id: "mqtt-1")

    static func config(port: Int) -> String {
        #"""
        {"broker": {"host": "127.0.0.1", "port": \#(port), "clientId": "gw-downlink-test", "version": 5, "keepAlive": 5},
         "mapping": [
           {"topicFilter": "sensor/+/response/#",
            "converter": {"type": "json", "deviceInfo": {"deviceNameExpressionSource": "topic", "deviceNameExpression": "(?<=sensor/)[^/]+"},
                          "timeseries": [{"type": "integer", "key": "answer", "value": "${answer}"}]}}],
         "requestsMapping": {
           "connectRequests": [{"topicFilter": "sensor/+/connect",
              "deviceInfo": {"deviceNameExpressionSource": "topic", "deviceNameExpression": "(?<=sensor/)(.*?)(?=/connect)",
                             "deviceProfileExpressionSource": "constant", "deviceProfileExpression": "Thermometer"}}],
           "disconnectRequests": [{"topicFilter": "sensor/+/disconnect",
              "deviceInfo": {"deviceNameExpressionSource": "topic", "deviceNameExpression": "(?<=sensor/)(.*?)(?=/disconnect)"}}],
           "attributeRequests": [{"topicFilter": "v1/devices/me/attributes/request", "retain": false, "qos": 1,
              "deviceInfo": {"deviceNameExpressionSource": "message", "deviceNameExpression": "${serialNumber}"},
              "attributeNameExpressionSource": "message", "attributeNameExpression": "${versionAttribute}",
              "topicExpression": "devices/${deviceName}/attrs", "valueExpression": "{\"${attributeKey}\": ${attributeValue}}"}],
           "attributeUpdates": [{"deviceNameFilter": "SN", "attributeFilter": "^firmwareVersion", "retain": true, "qos": 1,
              "topicExpression": "sensor/${deviceName}/${attributeKey}", "valueExpression": "{\"${attributeKey}\":\"${attributeValue}\"}"}],
           "serverSideRpc": [
             {"type": "twoWay", "deviceNameFilter": ".*", "methodFilter": "echo", "qos": 1,
              "requestTopicExpression": "sensor/${deviceName}/request/${methodName}/${requestId}",
              "responseTopicExpression": "sensor/${deviceName}/response/${methodName}/${requestId}",
              "responseTimeout": 3000, "valueExpression": "${params}"},
             {"type": "twoWay", "deviceNameFilter": ".*", "methodFilter": "silent",
              "requestTopicExpression": "sensor/${deviceName}/request/${methodName}/${requestId}",
              "responseTopicExpression": "sensor/${deviceName}/reply/${requestId}",
              "responseTimeout": 300, "valueExpression": "${params}"},
             {"type": "oneWay", "deviceNameFilter": ".*", "methodFilter": "setRelay", "qos": 1,
              "requestTopicExpression": "sensor/${deviceName}/relay", "valueExpression": "{\"on\": ${params.on}}"}]}}
        """#
    }

    /// A running connector on a fresh broker.
    struct Running {
        let broker: Mosquitto
        let connector: MQTTConnector
        let task: Task<Void, any Error>
        let context: RecordingContext

        func stop() async {
            task.cancel()
            _ = try? await task.value
            await stopBroker(broker)
        }
    }

    func start(context: RecordingContext = RecordingContext()) async throws -> Running {
        let broker = try await startBroker()
        let configuration = try MQTTConnectorConfiguration.parse(try JSONValue.parse(Self.config(port: broker.port)),
                                                                 file: "mqtt.json")
        let connector = try MQTTConnector(identity: Self.identity, configuration: configuration, configurationFile: "mqtt.json",
                                          context: context, logger: Logger(label: "mqtt-downlink-test"))
        let task = Task { try await connector.run() }
        let subscribed = await waitUntil(timeout: 15) { connector.statistics.snapshot.subscribedConnections >= 1 }
        try #require(subscribed, "connector did not subscribe: \(connector.statistics.snapshot)")
        return Running(broker: broker, connector: connector, task: task, context: context)
    }

    /// A device that answers every RPC request on the matching response topic.
    func echoDevice(port: Int) async throws -> TestDevice {
        try await TestDevice(port: port, subscribe: ["sensor/+/request/echo/+"]) { request in
            let topic = request.topic.replacingOccurrences(of: "/request/", with: "/response/")
            return MQTTMessage(topic: topic, payload: #"{"answer": \#(request.text)}"#, qos: .atLeastOnce)
        }
    }

    @Test func anAttributeUpdateIsPublishedRetainedWithTheRenderedTopicAndValue() async throws {
        let running = try await start()
        await running.connector.handleAttributeUpdate(AttributeUpdate(deviceName: "SN-7", values: ["firmwareVersion": 1.5, "other": 3]))
        // Subscribing afterwards: the broker hands over the retained message.
        let device = try await TestDevice(port: running.broker.port, subscribe: ["sensor/SN-7/#"])
        let arrived = await waitUntil(timeout: 5) { !device.messages.isEmpty }
        #expect(arrived)
        let messages = device.messages
        #expect(messages.map(\.topic) == ["sensor/SN-7/firmwareVersion"])
        #expect(messages.first?.text == #"{"firmwareVersion":"1.5"}"#)
        #expect(messages.first?.retain == true)
        // A device the filter does not match ("SN" at the start) gets nothing.
        await running.connector.handleAttributeUpdate(AttributeUpdate(deviceName: "X-SN", values: ["firmwareVersion": 2]))
        #expect(running.connector.statistics.snapshot.messagesPublished == 1)
        await device.stop()
        await running.stop()
    }

    @Test func aOneWayRPCIsPublishedAndAcknowledged() async throws {
        let running = try await start()
        let device = try await TestDevice(port: running.broker.port, subscribe: ["sensor/+/relay"])
        let reply = await running.connector.handleRPC(DeviceRPCRequest(deviceName: "SN-1", id: 4, method: "setRelay", params: ["on": true]))
        #expect(reply == #"{"success": true}"#)  // a string, as the reference replies
        #expect(await waitUntil(timeout: 5) { !device.messages.isEmpty })
        #expect(device.messages.map(\.topic) == ["sensor/SN-1/relay"])
        #expect(device.messages.first?.text == #"{"on": true}"#)
        await device.stop()
        await running.stop()
    }

    @Test func twoWayRPCsGetTheDevicesAnswerConcurrentlyAndTheMappingStillSeesIt() async throws {
        let running = try await start()
        let device = try await echoDevice(port: running.broker.port)
        let connector = running.connector
        let replies = await withTaskGroup(of: (Int64, JSONValue).self) { group in
            for id in Int64(1)...5 {
                group.addTask {
                    (id, await connector.handleRPC(DeviceRPCRequest(deviceName: "SN-\(id)", id: id, method: "echo", params: .int(id * 10))))
                }
            }
            var all: [Int64: JSONValue] = [:]
            for await (id, reply) in group { all[id] = reply }
            return all
        }
        for id in Int64(1)...5 {
            #expect(replies[id] == ["answer": .int(id * 10)])
        }
        // The response topics also match a mapping: the answers arrive as device data too.
        #expect(await running.context.waitFor { $0.received.count >= 5 })
        try? await Task.sleep(for: .milliseconds(300))
        let names = await running.context.received.map(\.deviceName).sorted()
        #expect(names == ["SN-1", "SN-2", "SN-3", "SN-4", "SN-5"], "\(names)")
        #expect(await running.context.received(device: "SN-3").first?.telemetry.first?.values == ["answer": 30])
        #expect(connector.responses.count == 0)
        await device.stop()
        await running.stop()
    }

    @Test func aTwoWayRPCWithoutAnAnswerRepliesSuccessFalseAfterItsTimeout() async throws {
        let running = try await start()
        let device = try await TestDevice(port: running.broker.port, subscribe: ["sensor/+/request/#"])
        let started = ContinuousClock.now
        let reply = await running.connector.handleRPC(DeviceRPCRequest(deviceName: "SN-1", id: 9, method: "silent", params: [:]))
        let took = ContinuousClock.now - started
        #expect(reply == #"{"success": false}"#)
        #expect(took >= .milliseconds(300) && took < .seconds(3), "took \(took)")
        #expect(device.messages.map(\.topic) == ["sensor/SN-1/request/silent/9"])
        #expect(running.connector.statistics.snapshot.rpcTimeouts == 1)
        // The response topic was unsubscribed: a late answer does not even reach the connector.
        #expect(running.connector.responses.count == 0)
        let received = running.connector.statistics.snapshot.messagesReceived
        try await device.publish("sensor/SN-1/reply/9", "late")
        try await Task.sleep(for: .milliseconds(300))
        #expect(running.connector.statistics.snapshot.messagesReceived == received)
        await device.stop()
        await running.stop()
    }

    @Test func reservedGetAndConnectorSetNeedNoConfiguration() async throws {
        let running = try await start()
        let device = try await TestDevice(port: running.broker.port, subscribe: ["dev/+/get", "dev/+/set"]) { request in
            request.topic.hasSuffix("/get") ? MQTTMessage(topic: "dev/SN-1/got", payload: "21.5", qos: .atLeastOnce) : nil
        }
        let get = await running.connector.handleRPC(DeviceRPCRequest(
            deviceName: "SN-1", id: 1, method: "get",
            params: "requestTopicExpression=dev/${deviceName}/get;responseTopicExpression=dev/${deviceName}/got;value=${params};"))
        #expect(get == 21.5)
        let set = await running.connector.handleRPC(DeviceRPCRequest(
            deviceName: "SN-1", id: 2, method: "mqtt_set", params: #"requestTopicExpression=dev/${deviceName}/set;value={"on": true};qos=1"#))
        #expect(set == #"{"success": true}"#)
        #expect(await waitUntil(timeout: 5) { !device.messages(on: "dev/SN-1/set").isEmpty })
        #expect(device.messages(on: "dev/SN-1/set").first?.text == #"{"on": true}"#)
        let unknown = await running.connector.handleRPC(DeviceRPCRequest(deviceName: "SN-1", id: 3, method: "reboot", params: [:]))
        #expect(unknown["code"] == 404)
        await device.stop()
        await running.stop()
    }

    @Test func connectAndDisconnectRequestsReachTheGateway() async throws {
        let running = try await start()
        let device = try await TestDevice(port: running.broker.port, subscribe: [])
        try await device.publish("sensor/SN-9/connect", "")
        try await device.publish("sensor/SN-9/disconnect", "")
        #expect(await running.context.waitFor { !$0.disconnected.isEmpty })
        let connected = await running.context.connected
        #expect(connected.map(\.name) == ["SN-9"])
        #expect(connected.map(\.type) == ["Thermometer"])
        #expect(await running.context.disconnected == ["SN-9"])
        await device.stop()
        await running.stop()
    }

    @Test func anAttributeRequestIsAnsweredOnTheExternalBroker() async throws {
        let running = try await start(context: RecordingContext(attributes: ["SN-002": ["firmwareVersion": "1.2", "model": "M"]]))
        let device = try await TestDevice(port: running.broker.port, subscribe: ["devices/+/attrs"])
        // ThingsBoard does not answer for an unknown device: nothing is published, the next works.
        try await device.publish("v1/devices/me/attributes/request", #"{"serialNumber": "SN-404", "versionAttribute": "firmwareVersion"}"#)
        try await device.publish("v1/devices/me/attributes/request", #"{"serialNumber": "SN-002", "versionAttribute": "firmwareVersion"}"#)
        #expect(await waitUntil(timeout: 5) { !device.messages.isEmpty })
        #expect(device.messages.map(\.topic) == ["devices/SN-002/attrs"])
        #expect(device.messages.first?.text == #"{"firmwareVersion": "1.2"}"#)
        let requests = await running.context.attributeRequests
        #expect(requests.contains(AttributeRequest(deviceName: "SN-002", keys: ["firmwareVersion"], clientScope: false)))
        #expect(running.connector.statistics.snapshot.attributeRequests == 2)
        #expect(running.connector.statistics.snapshot.attributeRequestsFailed == 1)
        await device.stop()
        await running.stop()
    }

    @Test func anRPCWhileTheConnectorIsNotRunningRepliesWithAPublishError() async throws {
        let configuration = try MQTTConnectorConfiguration.parse(try JSONValue.parse(Self.config(port: 1)), file: "mqtt.json")
        let connector = try MQTTConnector(identity: Self.identity, configuration: configuration, configurationFile: "mqtt.json",
                                          context: RecordingContext(), logger: Logger(label: "mqtt-downlink-test"))
        let reply = await connector.handleRPC(DeviceRPCRequest(deviceName: "SN-1", id: 1, method: "setRelay", params: ["on": 1]))
        #expect(reply == ["error": "Error on publish to target broker: 'MQTT client is not connected'", "success": false])
    }
}
