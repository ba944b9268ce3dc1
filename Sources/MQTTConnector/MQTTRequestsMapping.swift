import Expressions
import GatewayKit
import MQTT

/// `requestsMapping`: messages that are not device data (connect/disconnect announcements,
/// attribute requests) and the downlink rules (attribute updates, RPC).
///
/// Connect/disconnect and attribute requests are routed by `MQTTUplinkRouter`; attribute
/// updates and RPCs are turned into messages by `MQTTDownlinkRules`.
public struct MQTTRequestsMapping: Sendable, Equatable {
    public var connectRequests: [MQTTDeviceRequest] = []
    public var disconnectRequests: [MQTTDeviceRequest] = []
    public var attributeRequests: [MQTTAttributeRequest] = []
    public var attributeUpdates: [MQTTAttributeUpdate] = []
    public var serverSideRpc: [MQTTServerSideRPC] = []

    public init() {}
}

/// A `connectRequests` / `disconnectRequests` entry: a message on `topicFilter` announces that
/// the device named by `deviceName` came online / went offline.
public struct MQTTDeviceRequest: Sendable, Equatable {
    public var topicFilter: MQTTTopicFilter
    public var subscriptionQoS: MQTTQoS
    public var deviceName: MQTTDeviceExpression
    public var deviceProfile: MQTTDeviceExpression?
}

/// An `attributeRequests` entry: a device asks for attribute values, the answer is published
/// to `topicExpression` formatted by `valueExpression`.
public struct MQTTAttributeRequest: Sendable, Equatable {
    public enum Scope: String, Sendable, Equatable { case shared, client }

    public var topicFilter: MQTTTopicFilter
    public var subscriptionQoS: MQTTQoS
    public var deviceName: MQTTDeviceExpression
    public var attributeNameSource: MQTTDeviceExpression.Source
    public var attributeNameExpression: String
    public var scope: Scope
    public var topicExpression: String
    public var valueExpression: String
    public var retain: Bool
    public var qos: MQTTQoS
    let attributeNames: MQTTAttributeNames
    let topicTemplate: DownlinkTemplate
    let valueTemplate: DownlinkTemplate

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.topicFilter == rhs.topicFilter && lhs.subscriptionQoS == rhs.subscriptionQoS
            && lhs.deviceName == rhs.deviceName && lhs.attributeNameSource == rhs.attributeNameSource
            && lhs.attributeNameExpression == rhs.attributeNameExpression && lhs.scope == rhs.scope
            && lhs.topicExpression == rhs.topicExpression && lhs.valueExpression == rhs.valueExpression
            && lhs.retain == rhs.retain && lhs.qos == rhs.qos
    }
}

/// An `attributeUpdates` entry: shared attribute changes of matching devices are published.
public struct MQTTAttributeUpdate: Sendable, Equatable {
    /// Regular expressions (Python `re.match`: anchored at the start).
    public var deviceNameFilter: String
    public var attributeFilter: String
    public var topicExpression: String
    public var valueExpression: String
    public var retain: Bool
    public var qos: MQTTQoS
    let deviceNameRegex: PythonRegex
    let attributeRegex: PythonRegex
    let topicTemplate: DownlinkTemplate
    let valueTemplate: DownlinkTemplate

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.deviceNameFilter == rhs.deviceNameFilter && lhs.attributeFilter == rhs.attributeFilter
            && lhs.topicExpression == rhs.topicExpression && lhs.valueExpression == rhs.valueExpression
            && lhs.retain == rhs.retain && lhs.qos == rhs.qos
    }

    /// The topic and payload published for one attribute of one device.
    public func render(deviceName: String, key: String, value: JSONValue) -> (topic: String, payload: String) {
        let context = DownlinkContext(deviceName: deviceName, attributeKey: key, attributeValue: value)
        return (topicTemplate.render(context), valueTemplate.render(context))
    }
}

/// A `serverSideRpc` entry: an RPC for a matching device and method is published to
/// `requestTopicExpression`; a two-way RPC waits for the reply on `responseTopicExpression`.
public struct MQTTServerSideRPC: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable { case twoWay, oneWay }

    public var kind: Kind
    /// Regular expressions (Python `re.search`: anywhere in the name).
    public var deviceNameFilter: String
    public var methodFilter: String
    public var requestTopicExpression: String
    public var responseTopicExpression: String?
    public var responseTopicQoS: MQTTQoS
    /// Milliseconds; two-way only.
    public var responseTimeoutMs: Int64?
    public var valueExpression: String
    public var retain: Bool
    public var qos: MQTTQoS
    let deviceNameRegex: PythonRegex
    let methodRegex: PythonRegex
    let requestTopicTemplate: DownlinkTemplate
    let responseTopicTemplate: DownlinkTemplate?
    let valueTemplate: DownlinkTemplate

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.kind == rhs.kind && lhs.deviceNameFilter == rhs.deviceNameFilter && lhs.methodFilter == rhs.methodFilter
            && lhs.requestTopicExpression == rhs.requestTopicExpression
            && lhs.responseTopicExpression == rhs.responseTopicExpression
            && lhs.responseTopicQoS == rhs.responseTopicQoS && lhs.responseTimeoutMs == rhs.responseTimeoutMs
            && lhs.valueExpression == rhs.valueExpression && lhs.retain == rhs.retain && lhs.qos == rhs.qos
    }

    /// The request topic, payload and (two-way) response topic for one RPC call.
    public func render(deviceName: String, method: String, requestID: Int64, params: JSONValue)
        -> (requestTopic: String, payload: String, responseTopic: String?)
    {
        let context = DownlinkContext(deviceName: deviceName, methodName: method, requestId: requestID, params: params)
        return (requestTopicTemplate.render(context), valueTemplate.render(context),
                responseTopicTemplate?.render(context))
    }
}
