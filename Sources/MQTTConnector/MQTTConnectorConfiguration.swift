import Expressions
import GatewayKit
import MQTT

/// A validated MQTT connector configuration file (reference §5.1). Older layouts are rewritten
/// into this model on load (`legacyRewrites` lists what was rewritten).
public struct MQTTConnectorConfiguration: Sendable {
    public var broker: MQTTBrokerConfiguration
    /// `mapping` (or the older `dataMapping`): which topics carry device data and how to read it.
    public var mappings: [MQTTUplinkMapping]
    public var requests: MQTTRequestsMapping
    /// The connector-level report strategy: used for devices whose mapping names none.
    public var reportStrategy: ReportStrategy?
    /// Key paths of old-format keys that were rewritten into the current format, for one log line.
    public var legacyRewrites: [String]
}

/// One `mapping` entry: a topic filter and the converter for its messages.
public struct MQTTUplinkMapping: Sendable, Equatable {
    public var topicFilter: MQTTTopicFilter
    public var subscriptionQoS: MQTTQoS
    public var converter: MQTTConverterSpec
    /// The mapping's device-level report strategy (`reportStrategy` of the entry or of its converter).
    public var reportStrategy: ReportStrategy?
}

public enum MQTTConverterSpec: Sendable, Equatable {
    case json(MQTTJSONConverterSpec)
    case bytes(MQTTBytesConverterSpec)
    case custom(MQTTCustomConverterSpec)

    public var typeName: String {
        switch self {
        case .json: "json"
        case .bytes: "bytes"
        case .custom: "custom"
        }
    }
}

/// `converter.type: "json"`: the payload is a JSON object (or an array of them).
public struct MQTTJSONConverterSpec: Sendable, Equatable {
    public var deviceName: MQTTDeviceExpression
    public var deviceProfile: MQTTDeviceExpression?
    /// Stamp telemetry with the time of receipt instead of a time found in the message.
    public var useReceivedTs: Bool
    /// `attributes` and `timeseries` as configured (compiled into `mapper`).
    public var attributes: JSONValue?
    public var timeseries: JSONValue?
    let mapper: JSONDatapointMapper

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.deviceName == rhs.deviceName && lhs.deviceProfile == rhs.deviceProfile
            && lhs.useReceivedTs == rhs.useReceivedTs && lhs.attributes == rhs.attributes
            && lhs.timeseries == rhs.timeseries
    }
}

/// `converter.type: "bytes"`: slices of the raw payload (`[0:4]`, `[4:]`, `[2]`).
public struct MQTTBytesConverterSpec: Sendable, Equatable {
    public var deviceName: MQTTDeviceExpression
    public var deviceProfile: MQTTDeviceExpression?
    public var attributes: [MQTTBytesDatapoint]
    public var timeseries: [MQTTBytesDatapoint]
}

/// One entry of a bytes converter's `attributes`/`timeseries`.
public struct MQTTBytesDatapoint: Sendable, Equatable {
    public enum KeySource: String, Sendable, Equatable { case message, topic }

    public var key: String
    public var keySource: KeySource
    public var value: String
    /// `type` as configured; values are coerced to it when they can be (else sent as text).
    public var type: String
    public var hexMode: Bool
    public var reportStrategy: ReportStrategy?
    let keyEvaluator: KeyEvaluator
    let valueExpression: ByteSliceExpression
    let valueType: ValueType

    enum KeyEvaluator: Sendable {
        case slice(ByteSliceExpression)
        case topic(TopicExpression)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.key == rhs.key && lhs.keySource == rhs.keySource && lhs.value == rhs.value && lhs.type == rhs.type
            && lhs.hexMode == rhs.hexMode && lhs.reportStrategy == rhs.reportStrategy
    }
}

/// `converter.type: "custom"`: a converter registered in code under the `extension` name.
public struct MQTTCustomConverterSpec: Sendable, Equatable {
    public var extensionName: String
    public var extensionConfig: JSONValue?
    /// `cached`, `sharedGlobal`, `sharedId`: several mappings may share one converter instance.
    public var cached: Bool
    public var sharedGlobal: Bool
    public var sharedID: String?
    /// The whole `converter` object, handed to the factory.
    public var converter: JSONObject
    public var path: String

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.extensionName == rhs.extensionName && lhs.extensionConfig == rhs.extensionConfig
            && lhs.cached == rhs.cached && lhs.sharedGlobal == rhs.sharedGlobal && lhs.sharedID == rhs.sharedID
    }
}
