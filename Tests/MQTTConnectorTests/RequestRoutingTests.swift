import GatewayKit
import Logging
import MQTT
import NIOCore
import Testing
@testable import MQTTConnector

/// Connect, disconnect and attribute requests found by the router, and the answers to attribute
/// requests (the cases of the reference's test_request_attributes.py and its data files).
@Suite struct RequestRoutingTests {
    static func attributeRequest(names: String, scope: String = "shared") -> String {
        #"""
        {"topicFilter": "v1/devices/me/attributes/request", "scope": "\#(scope)", "retain": false,
         "deviceInfo": {"deviceNameExpressionSource": "message", "deviceNameExpression": "${serialNumber}"},
         "attributeNameExpressionSource": "message", "attributeNameExpression": "\#(names)",
         "topicExpression": "devices/${deviceName}/attrs", "valueExpression": "{\"${attributeKey}\": ${attributeValue}}"}
        """#
    }

    func router(attributeRequests: [String] = [], extra: String = "") throws -> MQTTUplinkRouter {
        let configuration = try parse(#"{"broker": {"host": "h"}, "requestsMapping": {"attributeRequests": ["#
                                      + attributeRequests.joined(separator: ",") + "]" + extra + "}}")
        return try MQTTUplinkRouter(configuration: configuration, file: "mqtt.json", logger: Logger(label: "test"))
    }

    func route(_ router: MQTTUplinkRouter, _ topic: String, _ payload: String) -> MQTTUplinkRouter.Result {
        router.route(MQTTUplinkMessage(topic: topic, payload: ByteBuffer(string: payload), receivedAt: 0))
    }

    @Test func aSharedAttributeRequestNamesDeviceAndKey() throws {
        let router = try router(attributeRequests: [Self.attributeRequest(names: "${versionAttribute}")])
        #expect(router.subscriptions.map(\.filter) == ["v1/devices/me/attributes/request"])
        let result = route(router, "v1/devices/me/attributes/request", #"{"serialNumber":"SN-002","versionAttribute":"firmwareVersion2"}"#)
        #expect(result.deviceEvents == [.attributeRequest(MQTTAttributeRequestCall(
            entryIndex: 0, deviceName: "SN-002", keys: ["firmwareVersion2"], clientScope: false))])
    }

    @Test func severalAttributesAndClientScope() throws {
        let router = try router(attributeRequests: [Self.attributeRequest(names: "${versionAttribute}, ${versionModel}", scope: "client")])
        let result = route(router, "v1/devices/me/attributes/request",
                           #"{"serialNumber":"SN-002","versionAttribute":"firmwareVersion2","versionModel":"model3"}"#)
        #expect(result.deviceEvents == [.attributeRequest(MQTTAttributeRequestCall(
            entryIndex: 0, deviceName: "SN-002", keys: ["firmwareVersion2", "model3"], clientScope: true))])
    }

    @Test func aNameThatIsNotFoundIsLeftOut() throws {
        let router = try router(attributeRequests: [Self.attributeRequest(names: "${versionAttribute}, ${versionModel}")])
        let result = route(router, "v1/devices/me/attributes/request",
                           #"{"serialNumber":"SN-002","versionAttribute":"firmwareVersion2","wrongAttribute":"wrong"}"#)
        #expect(result.deviceEvents == [.attributeRequest(MQTTAttributeRequestCall(
            entryIndex: 0, deviceName: "SN-002", keys: ["firmwareVersion2"], clientScope: false))])
    }

    @Test func noDeviceNameOrNoAttributeNameIsAProblemAndNoRequest() throws {
        let router = try router(attributeRequests: [Self.attributeRequest(names: "${versionAttribute}")])
        let empty = route(router, "v1/devices/me/attributes/request", "")
        #expect(empty.matched && empty.deviceEvents.isEmpty)
        #expect(empty.problems.first?.contains("no device name") == true)
        let noName = route(router, "v1/devices/me/attributes/request", #"{"serialNumber":"SN-002"}"#)
        #expect(noName.deviceEvents.isEmpty)
        #expect(noName.problems.first?.contains("no attribute name") == true)
    }

    @Test func constantAndTopicAttributeNames() throws {
        let router = try router(attributeRequests: [#"""
            {"topicFilter": "req/+/+", "deviceInfo": {"deviceNameExpressionSource": "topic", "deviceNameExpression": "(?<=req/)[^/]+"},
             "attributeNameExpressionSource": "topic", "attributeNameExpression": "[^/]+$",
             "topicExpression": "t", "valueExpression": "${attributeValue}"}
            """#, #"""
            {"topicFilter": "fixed", "deviceInfo": {"deviceNameExpressionSource": "constant", "deviceNameExpression": "D"},
             "attributeNameExpressionSource": "constant", "attributeNameExpression": "mode",
             "topicExpression": "t", "valueExpression": "${attributeValue}"}
            """#])
        #expect(route(router, "req/SN-5/volume", "not json").deviceEvents == [.attributeRequest(MQTTAttributeRequestCall(
            entryIndex: 0, deviceName: "SN-5", keys: ["volume"], clientScope: false))])
        #expect(route(router, "fixed", "").deviceEvents == [.attributeRequest(MQTTAttributeRequestCall(
            entryIndex: 1, deviceName: "D", keys: ["mode"], clientScope: false))])
    }

    @Test func answersAreRenderedAsTheReferenceRendersThem() throws {
        let single = try #require(try parse(#"{"broker": {"host": "h"}, "requestsMapping": {"attributeRequests": ["#
                                            + Self.attributeRequest(names: "${a}") + "]}}").requests.attributeRequests.first)
        #expect(single.answer(deviceName: "SN-002", keys: ["firmwareVersion2"], values: ["firmwareVersion2": 7.1])
                == MQTTOutgoing(topic: "devices/SN-002/attrs", payload: #"{"firmwareVersion2": 7.1}"#, qos: .atMostOnce, retain: false))
        #expect(single.answer(deviceName: "SN-002", keys: ["model"], values: ["model": "M-1"])?.payload == #"{"model": "M-1"}"#)
        #expect(single.answer(deviceName: "SN-002", keys: ["model"], values: [:]) == nil)
        #expect(single.answer(deviceName: "SN-002", keys: ["a", "b"], values: ["firmwareVersion2": 7.1, "model3": "M-123"])?.payload
                == #"{"firmwareVersion2":7.1,"model3":"M-123"}"#)
    }

    /// The upstream tests' single-section fixtures, each as the only entry of its section.
    func upstreamSection(_ directory: String, _ file: String) throws -> String {
        let url = compatDirectory().appendingPathComponent("upstream-tests/unit/connectors/mqtt/data/\(directory)/\(file)")
        return try loadJSON(url).jsonString
    }

    @Test(arguments: [
        ("on_attribute_request_mqtt_config_subtopics_section.json", ["firmwareVersion2"], false),
        ("on_attribute_request_mqtt_config_client_side.json", ["firmwareVersion2"], true),
        ("on_attribute_request_mqtt_config_subtopic_multiple_attributes.json", ["firmwareVersion2", "model3"], false),
        ("on_attribute_request_mqtt_config_multiple_client_side.json", ["firmwareVersion2", "model3"], true),
    ])
    func theUpstreamAttributeRequestFixturesAskForTheirKeys(file: String, keys: [String], clientScope: Bool) throws {
        let router = try router(attributeRequests: [try upstreamSection("attribute_requests", file)])
        let result = route(router, "v1/devices/me/attributes/request",
                           #"{"serialNumber":"SN-002","versionAttribute":"firmwareVersion2","versionModel":"model3"}"#)
        #expect(result.deviceEvents == [.attributeRequest(MQTTAttributeRequestCall(
            entryIndex: 0, deviceName: "SN-002", keys: keys, clientScope: clientScope))])
    }

    @Test func theUpstreamConnectAndDisconnectFixturesNameTheirDevices() throws {
        let router = try router(extra: ", \"connectRequests\": ["
            + (try upstreamSection("connect_requests", "on_connect_mqtt_config.json")) + ","
            + (try upstreamSection("connect_requests", "on_connect_mqtt_config_topic_device_section.json")) + "], \"disconnectRequests\": ["
            + (try upstreamSection("disconnect_requests", "on_disconnect_request_mqtt_config.json")) + ","
            + (try upstreamSection("disconnect_requests", "on_disconnect_request_mqtt_config_topic_section.json")) + "]")
        #expect(route(router, "sensor/connect", #"{"serialNumber": "SN-1"}"#).deviceEvents
                == [.connect(deviceName: "SN-1", profile: "Thermometer")])
        #expect(route(router, "sensor/SN-2/connect", "").deviceEvents == [.connect(deviceName: "SN-2", profile: "Thermometer")])
        #expect(route(router, "sensor/disconnect", #"{"serialNumber": "SN-1"}"#).deviceEvents == [.disconnect(deviceName: "SN-1")])
        #expect(route(router, "sensor/SN-2/disconnect", "").deviceEvents == [.disconnect(deviceName: "SN-2")])
    }

    @Test func connectStopsRoutingAndDisconnectActsOnce() throws {
        let router = try router(extra: #"""
            , "connectRequests": [{"topicFilter": "dev/+/up", "deviceInfo": {"deviceNameExpressionSource": "topic",
                "deviceNameExpression": "(?<=dev/)[^/]+", "deviceProfileExpressionSource": "constant", "deviceProfileExpression": "Lamp"}}],
              "disconnectRequests": [{"topicFilter": "dev/+/up", "deviceInfo": {"deviceNameExpression": "x"}},
                                     {"topicFilter": "dev/+/down", "deviceInfo": {"deviceNameExpression": "${id}"}},
                                     {"topicFilter": "dev/#", "deviceInfo": {"deviceNameExpression": "other"}}]
            """#)
        #expect(route(router, "dev/L1/up", "").deviceEvents == [.connect(deviceName: "L1", profile: "Lamp")])
        #expect(route(router, "dev/L1/down", #"{"id": "L1"}"#).deviceEvents == [.disconnect(deviceName: "L1")])
    }

    /// MQTT 5 copies of one message, one per overlapping subscription: each mapping and request
    /// acts once, for the copy of its own subscription; which of them apply is decided by the
    /// topic as without identifiers (a mapping that takes the topic keeps requests out).
    @Test func subscriptionIdentifiersSayWhichCopyIsWhose() throws {
        let router = try router(extra: #"""
            , "connectRequests": [{"topicFilter": "dev/+/up", "deviceInfo": {"deviceNameExpressionSource": "topic",
                "deviceNameExpression": "(?<=dev/)[^/]+"}},
                                  {"topicFilter": "dev/#", "deviceInfo": {"deviceNameExpression": "any"}}]
            """#)
        let up = MQTTUplinkRouter.subscriptionIdentifier(for: "dev/+/up")
        let all = MQTTUplinkRouter.subscriptionIdentifier(for: "dev/#")
        func events(_ subscriptions: [UInt32]?) -> [MQTTUplinkRouter.DeviceEvent] {
            router.route(MQTTUplinkMessage(topic: "dev/L1/up", payload: ByteBuffer(), receivedAt: 0),
                         subscriptions: subscriptions).deviceEvents
        }
        #expect(events(nil) == [.connect(deviceName: "L1", profile: "default"), .connect(deviceName: "any", profile: "default")])
        #expect(events([up]) == [.connect(deviceName: "L1", profile: "default")])
        #expect(events([all]) == [.connect(deviceName: "any", profile: "default")])
        #expect(events([up, all]) == events(nil))

        let mapped = try MQTTUplinkRouter(configuration: try parse(#"""
            {"broker": {"host": "h"}, "mapping": [{"topicFilter": "dev/#", "converter": {"type": "json",
                "deviceInfo": {"deviceNameExpressionSource": "constant", "deviceNameExpression": "D"},
                "timeseries": [{"type": "integer", "key": "n", "value": "${n}"}]}}],
             "requestsMapping": {"connectRequests": [{"topicFilter": "dev/+/up", "deviceInfo": {"deviceNameExpression": "x"}}]}}
            """#), file: "mqtt.json", logger: Logger(label: "test"))
        let mapping = MQTTUplinkRouter.subscriptionIdentifier(for: "dev/#")
        let request = MQTTUplinkRouter.subscriptionIdentifier(for: "dev/+/up")
        let message = MQTTUplinkMessage(topic: "dev/L1/up", payload: ByteBuffer(string: #"{"n": 1}"#), receivedAt: 0)
        #expect(mapped.route(message, subscriptions: [mapping]).data.count == 1)
        let requestCopy = mapped.route(message, subscriptions: [request])
        #expect(requestCopy.matched && requestCopy.data.isEmpty && requestCopy.deviceEvents.isEmpty,
                "the request's copy of a topic a mapping takes does nothing")
        // Identifiers of no subscription of this configuration (a persistent session's queue
        // from before a change): the copy goes to everything that applies.
        #expect(mapped.route(message, subscriptions: [12_345]).data.count == 1)
    }

    /// The request tiers are chosen by the topic, as without identifiers: a connect request that
    /// takes the topic keeps the disconnect requests out whichever copy comes, and only the
    /// first disconnect request that finds a device acts.
    @Test func requestTiersAreChosenByTheTopicNotPerCopy() throws {
        let router = try router(extra: #"""
            , "connectRequests": [{"topicFilter": "dev/#", "deviceInfo": {"deviceNameExpression": "C"}}],
              "disconnectRequests": [{"topicFilter": "dev/+/down", "deviceInfo": {"deviceNameExpression": "D"}},
                                     {"topicFilter": "dev/x/+", "deviceInfo": {"deviceNameExpression": "E"}}]
            """#)
        let message = MQTTUplinkMessage(topic: "dev/x/down", payload: ByteBuffer(), receivedAt: 0)
        let copies = ["dev/#", "dev/+/down", "dev/x/+"].map { MQTTUplinkRouter.subscriptionIdentifier(for: $0) }
        let events = copies.flatMap { router.route(message, subscriptions: [$0]).deviceEvents }
        #expect(events == router.route(message).deviceEvents)
        #expect(events == [.connect(deviceName: "C", profile: "default")])

        let disconnects = try self.router(extra: #"""
            , "disconnectRequests": [{"topicFilter": "dev/+/down", "deviceInfo": {"deviceNameExpression": "D"}},
                                     {"topicFilter": "dev/x/+", "deviceInfo": {"deviceNameExpression": "E"}}]
            """#)
        let acted = copies.dropFirst().flatMap { disconnects.route(message, subscriptions: [$0]).deviceEvents }
        #expect(acted == [.disconnect(deviceName: "D")])
    }
}
