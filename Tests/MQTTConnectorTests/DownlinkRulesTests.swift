import GatewayKit
import MQTT
import Testing
@testable import MQTTConnector

/// The pure downlink rules, with the cases of the reference's unit tests
/// (tests/unit/connectors/mqtt/test_on_attribute_updates.py and its data files) plus RPC planning.
@Suite struct AttributeUpdateRulesTests {
    func rules(_ entries: String) throws -> MQTTDownlinkRules {
        let configuration = try parse(#"{"broker": {"host": "h"}, "requestsMapping": {"attributeUpdates": "# + entries + "}}")
        return MQTTDownlinkRules(requests: configuration.requests, connectorType: "mqtt")
    }

    static let firmwareEntry = #"""
        {"retain": true, "deviceNameFilter": ".*", "attributeFilter": "^firmwareVersion\\.*",
         "topicExpression": "sensor/${deviceName}/firmwareVersion",
         "valueExpression": "{\"${attributeKey}\":\"${attributeValue}\"}"}
        """#

    @Test func noEntriesPublishNothing() throws {
        let result = try rules("[]").messages(for: AttributeUpdate(deviceName: "SN-002", values: ["firmwareVersion": 5.8]))
        #expect(result.messages.isEmpty)
        #expect(result.problems == ["no attributeUpdates configured"])
    }

    @Test func aDeviceNameFilterThatDoesNotMatchPublishesNothing() throws {
        let rules = try rules(#"""
            [{"retain": true, "deviceNameFilter": "SN-002", "attributeFilter": "firmwareVersion",
              "topicExpression": "sensor/${deviceName}/${attributeKey}", "valueExpression": "${attributeValue}"}]
            """#)
        let result = rules.messages(for: AttributeUpdate(deviceName: "SN-003", values: ["firmwareVersion": 6.4]))
        #expect(result.messages.isEmpty)
        #expect(result.problems.first?.contains("deviceNameFilter") == true)
    }

    @Test func oneMatchingAttributeIsPublishedWithTopicPayloadAndRetain() throws {
        let result = try rules("[\(Self.firmwareEntry)]")
            .messages(for: AttributeUpdate(deviceName: "SN-002", values: ["firmwareVersion": 6.6]))
        #expect(result.messages == [MQTTOutgoing(topic: "sensor/SN-002/firmwareVersion",
                                                 payload: #"{"firmwareVersion":"6.6"}"#, qos: .atMostOnce, retain: true)])
    }

    @Test func anEntryWithAnEmptyAttributeFilterIsSkipped() throws {
        let rules = try rules(#"""
            [{"retain": true, "deviceNameFilter": ".*", "attributeFilter": "",
              "topicExpression": "sensor/${deviceName}/${attributeKey}", "valueExpression": "${attributeValue}"}]
            """#)
        let result = rules.messages(for: AttributeUpdate(deviceName: "SN-002", values: ["firmwareVersion": 6.6]))
        #expect(result.messages.isEmpty)
        #expect(result.problems.first?.contains("empty attributeFilter") == true)
    }

    @Test func everyMatchingEntryPublishesItsAttributes() throws {
        let rules = try rules(#"""
            [{"retain": true, "deviceNameFilter": ".*", "attributeFilter": "^firmwareVersion\\d+",
              "topicExpression": "sensor/${deviceName}/firmwareVersion", "valueExpression": "{\"${attributeKey}\":\"${attributeValue}\"}"},
             {"retain": true, "deviceNameFilter": ".*", "attributeFilter": "^model\\d+",
              "topicExpression": "sensor/${deviceName}/model", "valueExpression": "{\"${attributeKey}\":\"${attributeValue}\"}"}]
            """#)
        let result = rules.messages(for: AttributeUpdate(deviceName: "SN-002", values: ["firmwareVersion2": 7.1, "model3": "M-123"]))
        #expect(result.messages.map(\.topic) == ["sensor/SN-002/firmwareVersion", "sensor/SN-002/model"])
        #expect(result.messages.map(\.payload) == [#"{"firmwareVersion2":"7.1"}"#, #"{"model3":"M-123"}"#])
    }

    @Test func aNonMatchingAttributeIsSkippedAndTheOthersArePublished() throws {
        let result = try rules("[\(Self.firmwareEntry)]")
            .messages(for: AttributeUpdate(deviceName: "SN-002", values: ["model": 6.9, "firmwareVersion2": 7.1]))
        #expect(result.messages.map(\.payload) == [#"{"firmwareVersion2":"7.1"}"#])
        #expect(result.problems == [#"attribute "model" does not match filter "^firmwareVersion\.*""#])
    }

    @Test func filtersMatchAtTheStartOnly() throws {
        let rules = try rules(#"""
            [{"deviceNameFilter": "SN", "attributeFilter": "relay", "topicExpression": "t/${deviceName}", "valueExpression": "${attributeValue}"}]
            """#)
        #expect(rules.messages(for: AttributeUpdate(deviceName: "SN-1", values: ["relay1": true])).messages.map(\.payload) == ["true"])
        #expect(rules.messages(for: AttributeUpdate(deviceName: "X-SN", values: ["relay": true])).messages.isEmpty)
        #expect(rules.messages(for: AttributeUpdate(deviceName: "SN-1", values: ["myrelay": true])).messages.isEmpty)
    }

    @Test func valuesAreFormattedAsTheReferenceDoes() throws {
        let rules = try rules(#"""
            [{"deviceNameFilter": ".*", "attributeFilter": ".*", "topicExpression": "t/${attributeKey}", "valueExpression": "${attributeValue}"}]
            """#)
        let values: JSONObject = ["s": "on", "b": false, "n": .null, "i": 5, "d": 1e-05, "o": ["a": [1, "x"]]]
        let payloads = rules.messages(for: AttributeUpdate(deviceName: "D", values: values)).messages.map(\.payload)
        #expect(payloads == ["on", "false", "null", "5", "1e-05", #"{"a":[1,"x"]}"#])
    }
}

@Suite struct RPCPlanTests {
    static let config = #"""
        {"broker": {"host": "h"}, "requestsMapping": {"serverSideRpc": [
          {"deviceNameFilter": ".*", "methodFilter": "echo",
           "requestTopicExpression": "sensor/${deviceName}/request/${methodName}/${requestId}",
           "responseTopicExpression": "sensor/${deviceName}/response/${methodName}/${requestId}",
           "responseTimeout": 1000, "valueExpression": "${params}"},
          {"deviceNameFilter": "002", "methodFilter": "no-reply", "qos": 1, "retain": true,
           "requestTopicExpression": "sensor/${deviceName}/request/${methodName}/${params.channel}",
           "valueExpression": "{\"value\": ${params.value}}"}]}}
        """#

    func rules() throws -> MQTTDownlinkRules {
        MQTTDownlinkRules(requests: try parse(Self.config).requests, connectorType: "mqtt")
    }

    func call(_ plan: MQTTRPCPlan) throws -> MQTTRPCCall {
        guard case .call(let call) = plan else { throw PlanWasAReply(plan: plan) }
        return call
    }

    struct PlanWasAReply: Error { var plan: MQTTRPCPlan }

    @Test func aTwoWayEntryPublishesAndWaitsOnTheResponseTopic() throws {
        let call = try call(rules().plan(for: DeviceRPCRequest(deviceName: "SN-1", id: 7, method: "echo", params: ["a": 1])))
        #expect(call.request == MQTTOutgoing(topic: "sensor/SN-1/request/echo/7", payload: #"{"a":1}"#, qos: .atMostOnce, retain: false))
        #expect(call.responseTopic == "sensor/SN-1/response/echo/7")
        #expect(call.responseTimeout == .milliseconds(1000))
        #expect(call.responseQoS == .atLeastOnce)
    }

    @Test func aOneWayEntryRendersParamsInTopicAsTextAndInPayloadAsJSON() throws {
        let call = try call(rules().plan(for: DeviceRPCRequest(deviceName: "SN-002", id: 8, method: "no-reply",
                                                               params: ["channel": "ch1", "value": "on"])))
        #expect(call.request == MQTTOutgoing(topic: "sensor/SN-002/request/no-reply/ch1", payload: #"{"value": "on"}"#,
                                             qos: .atLeastOnce, retain: true))
        #expect(call.responseTopic == nil)
    }

    @Test func theDeviceFilterIsSearchedAnywhereInTheName() throws {
        // "002" is found inside "SN-002" (re.search), not in "SN-003".
        _ = try call(rules().plan(for: DeviceRPCRequest(deviceName: "SN-002", id: 1, method: "no-reply", params: [:])))
        #expect(try rules().plan(for: DeviceRPCRequest(deviceName: "SN-003", id: 1, method: "no-reply", params: [:]))
                == .reply(["error": #"no serverSideRpc entry matches device "SN-003" and method "no-reply""#, "code": 404]))
    }

    @Test func aConnectorRPCUsesTheMethodAfterThePrefixButTemplatesSeeItAsSent() throws {
        let call = try call(rules().plan(for: DeviceRPCRequest(deviceName: "SN-1", id: 3, method: "mqtt_echo", params: 5)))
        #expect(call.request.topic == "sensor/SN-1/request/mqtt_echo/3")
        #expect(call.request.payload == "5")
        // Another connector type's prefix is not stripped; nor is a method with two underscores.
        #expect(try rules().plan(for: DeviceRPCRequest(deviceName: "SN-1", id: 3, method: "modbus_x", params: 5))
                == .reply(["error": #"no serverSideRpc entry matches device "SN-1" and method "modbus_x""#, "code": 404]))
    }

    @Test func reservedGetNeedsNoConfigurationAndWaitsFiveSeconds() throws {
        let params = "requestTopicExpression=dev/${deviceName}/get;responseTopicExpression=dev/${deviceName}/got;value=${params};"
        let call = try call(rules().plan(for: DeviceRPCRequest(deviceName: "SN-1", id: 9, method: "get", params: .string(params))))
        #expect(call.request.topic == "dev/SN-1/get")
        #expect(call.responseTopic == "dev/SN-1/got")
        #expect(call.responseTimeout == .seconds(5))
        // As in the reference, ${params} is the whole params text, JSON-encoded.
        #expect(call.request.payload == JSONValue.string(params).jsonString)
    }

    @Test func reservedSetWithoutAResponseTopicIsOneWay() throws {
        let params = #"requestTopicExpression=dev/${deviceName}/set;value={"on": true};qos=1;responseTimeout=200"#
        let call = try call(rules().plan(for: DeviceRPCRequest(deviceName: "SN-1", id: 9, method: "mqtt_set", params: .string(params))))
        #expect(call.request == MQTTOutgoing(topic: "dev/SN-1/set", payload: #"{"on": true}"#, qos: .atLeastOnce, retain: false))
        #expect(call.responseTopic == nil)
    }

    @Test func reservedParamsAreSplitAsTheReferenceSplitsThem() {
        #expect(MQTTDownlinkRules.reservedParameters("a=1;b=x=y;;c=;=d;value=v;responseTimeout=300")
                == ["a": "1", "valueExpression": "v", "responseTimeout": "300"])
    }

    @Test func reservedMethodsWithObjectParamsOrNoRequestTopicAreRefused() throws {
        let rules = try rules()
        guard case .reply(let reply) = rules.plan(for: DeviceRPCRequest(deviceName: "D", id: 1, method: "get", params: ["a": 1])) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(reply["code"] == 400)
        #expect(rules.plan(for: DeviceRPCRequest(deviceName: "D", id: 1, method: "set", params: "value=1;"))
                == .reply(["error": "params name no requestTopicExpression", "code": 400]))
    }

    @Test func aConnectorRPCWithoutADeviceCarriesItsConfigurationInParams() throws {
        let call = try call(rules().plan(for: DeviceRPCRequest(
            deviceName: "", id: 4, method: "mqtt_publish",
            params: ["requestTopicExpression": "all/${params.group}", "valueExpression": "${params.value}",
                     "group": "lamps", "value": 1, "responseTopicExpression": "all/ack", "responseTimeout": 300])))
        #expect(call.request.topic == "all/lamps")
        #expect(call.request.payload == "1")
        #expect(call.responseTopic == "all/ack")
        #expect(call.responseTimeout == .milliseconds(300))
    }

    @Test func deviceAnswersBecomeJSONWhenTheyParse() {
        #expect(MQTTDownlinkRules.responseData(Array(#"{"a": 1}"#.utf8)) == ["a": 1])
        #expect(MQTTDownlinkRules.responseData(Array("{'ok': True}".utf8)) == .string("{'ok': True}"))
        #expect(MQTTDownlinkRules.responseData(Array("{'ok': 1}".utf8)) == ["ok": 1])
        #expect(MQTTDownlinkRules.responseData(Array("42".utf8)) == 42)
        #expect(MQTTDownlinkRules.responseData(Array("it's on".utf8)) == "it's on")
        #expect(MQTTDownlinkRules.responseData([]) == "")
        // A UTF-8 byte order mark before the JSON is skipped, as Python's JSON reading does.
        #expect(MQTTDownlinkRules.responseData([0xEF, 0xBB, 0xBF] + Array(#"{"a": 1}"#.utf8)) == ["a": 1])
    }

    /// `responseTimeout` is read as the reference reads it: numbers, numeric text, fractions;
    /// 0, "" and null mean none (one-way without `type: twoWay`). `retain` takes 0 and 1.
    @Test func responseTimeoutsAndRetainAreReadAsTheReferenceReadsThem() throws {
        func entry(_ extra: String) throws -> MQTTServerSideRPC {
            let configuration = try parse(#"{"broker": {"host": "h"}, "requestsMapping": {"serverSideRpc": [{"#
                + #""deviceNameFilter": ".*", "methodFilter": "m", "requestTopicExpression": "req", "#
                + #""responseTopicExpression": "resp", "valueExpression": "1", "# + extra + "}]}}")
            return try #require(configuration.requests.serverSideRpc.first)
        }
        #expect(try entry(#""responseTimeout": 1500.5"#).responseTimeoutMs == 1501)
        #expect(try entry(#""responseTimeout": "2500""#).responseTimeoutMs == 2500)
        // "As long as ThingsBoard waits", however it is written.
        for huge in ["18446744073709551615", "18446744073709551616", "1e30"] {
            #expect(try entry(#""responseTimeout": "# + huge).responseTimeoutMs == 9_000_000_000_000_000_000, "\(huge)")
        }
        for none in ["0", #""""#, "null"] {  // null: absent
            #expect(try entry(#""responseTimeout": "# + none).responseTimeoutMs == nil, "\(none)")
        }
        // Written as none and no type: one-way, as the reference publishes it.
        #expect(try entry(#""responseTimeout": 0"#).kind == .oneWay)
        #expect(try entry(#""responseTimeout": 0, "type": "twoWay""#).kind == .twoWay)
        #expect(try entry(#""responseTimeout": 1000"#).kind == .twoWay)
        #expect(throws: ConfigError.self) { try entry(#""responseTimeout": -1"#) }
        #expect(throws: ConfigError.self) { try entry(#""responseTimeout": "soon""#) }
        #expect(try entry(#""responseTimeout": 1000, "retain": 1"#).retain)
        #expect(try !entry(#""responseTimeout": 1000, "retain": 0"#).retain)
    }
}
