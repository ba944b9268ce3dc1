import Expressions
import Foundation
import GatewayKit
import MQTT

extension MQTTConnectorConfiguration {
    /// Validates a whole connector configuration document (current or old layout). Every error
    /// names the key path, as found after rewriting an old layout into the current one.
    public static func parse(_ document: JSONValue, file: String) throws(ConfigError) -> MQTTConnectorConfiguration {
        guard case .object(let object) = document else {
            throw ConfigError(file: file, keyPath: "", expected: "an object", found: ConfigReader.describe(document))
        }
        let (normalized, rewrites) = MQTTLegacyConfigAdapter.normalize(object)
        let root = try ConfigReader(.object(normalized), file: file, path: "")
        guard let brokerReader = try root.child("broker") else {
            throw root.failure("broker", expected: "an object with the broker's host", found: nil)
        }
        let broker = try MQTTBrokerConfiguration.parse(brokerReader)
        var mappings: [MQTTUplinkMapping] = []
        for entry in try root.objects("mapping") {
            mappings.append(try parseMapping(entry))
        }
        var requests = MQTTRequestsMapping()
        if let section = try root.child("requestsMapping") {
            requests = try parseRequests(section)
        }
        return MQTTConnectorConfiguration(broker: broker, mappings: mappings, requests: requests,
                                          reportStrategy: try ReportStrategy.parse(in: root),
                                          legacyRewrites: rewrites)
    }

    // MARK: mapping

    static func parseMapping(_ entry: ConfigReader) throws(ConfigError) -> MQTTUplinkMapping {
        let filter = try topicFilter(entry, "topicFilter")
        let qos = try qos(entry, "subscriptionQos", default: .atLeastOnce)
        guard let converter = try entry.child("converter") else {
            throw entry.failure("converter", expected: "an object with the converter's type", found: nil)
        }
        let spec: MQTTConverterSpec
        // As in the reference, an `extension` names the converter class whatever the `type`: one
        // of the built-in classes, else a custom one.
        let extensionName = converter.value("extension")?.stringValue
        if extensionName == "JsonMqttUplinkConverter" {
            spec = .json(try parseJSONConverter(converter))
        } else if extensionName == "BytesMqttUplinkConverter" {
            spec = .bytes(try parseBytesConverter(converter))
        } else if converter.has("extension") || converter.value("type")?.stringValue == "custom" {
            spec = .custom(try parseCustomConverter(converter))
        } else {
            switch try converter.choice("type", of: ["json", "bytes", "custom"], default: nil) {
            case "bytes": spec = .bytes(try parseBytesConverter(converter))
            default: spec = .json(try parseJSONConverter(converter))
            }
        }
        var strategy = try ReportStrategy.parse(in: entry)
        if strategy == nil { strategy = try ReportStrategy.parse(in: converter) }
        return MQTTUplinkMapping(topicFilter: filter, subscriptionQoS: qos, converter: spec, reportStrategy: strategy)
    }

    static func parseJSONConverter(_ converter: ConfigReader) throws(ConfigError) -> MQTTJSONConverterSpec {
        let (name, profile) = try deviceInfo(converter, bytes: false)
        return MQTTJSONConverterSpec(
            deviceName: name, deviceProfile: profile,
            useReceivedTs: try converter.bool("useReceivedTs", default: false),
            attributes: converter.value("attributes"), timeseries: converter.value("timeseries"),
            mapper: try JSONDatapointMapper(converter))
    }

    static func parseBytesConverter(_ converter: ConfigReader) throws(ConfigError) -> MQTTBytesConverterSpec {
        let (name, profile) = try deviceInfo(converter, bytes: true)
        var attributes: [MQTTBytesDatapoint] = []
        for entry in try converter.objects("attributes") { attributes.append(try parseBytesDatapoint(entry)) }
        var timeseries: [MQTTBytesDatapoint] = []
        for entry in try converter.objects("timeseries") { timeseries.append(try parseBytesDatapoint(entry)) }
        return MQTTBytesConverterSpec(deviceName: name, deviceProfile: profile, attributes: attributes,
                                      timeseries: timeseries)
    }

    static func parseBytesDatapoint(_ entry: ConfigReader) throws(ConfigError) -> MQTTBytesDatapoint {
        let key = try entry.string("key", default: nil)
        let keySourceName = try entry.choice("keySource", of: ["message", "topic"], default: "message")
        let keySource = MQTTBytesDatapoint.KeySource(rawValue: keySourceName) ?? .message
        let value = try entry.string("value", default: nil)
        let type = try entry.string("type", default: "raw")
        let keyEvaluator: MQTTBytesDatapoint.KeyEvaluator
        do {
            keyEvaluator = keySource == .topic ? .topic(try TopicExpression(key)) : .slice(try ByteSliceExpression(key))
        } catch {
            throw expressionFailure(entry, "key", error)
        }
        let valueExpression: ByteSliceExpression
        do { valueExpression = try ByteSliceExpression(value) } catch { throw expressionFailure(entry, "value", error) }
        return MQTTBytesDatapoint(
            key: key, keySource: keySource, value: value, type: type,
            hexMode: try entry.bool("hexMode", default: false),
            reportStrategy: try ReportStrategy.parse(in: entry),
            keyEvaluator: keyEvaluator, valueExpression: valueExpression,
            valueType: ValueType(configName: type))
    }

    static func parseCustomConverter(_ converter: ConfigReader) throws(ConfigError) -> MQTTCustomConverterSpec {
        MQTTCustomConverterSpec(
            extensionName: try converter.string("extension", default: nil),
            extensionConfig: converter.value("extensionConfig"),
            cached: try converter.bool("cached", default: false),
            sharedGlobal: try converter.bool("sharedGlobal", default: false),
            sharedID: try converter.string("sharedId", nonEmpty: true),
            converter: converter.object, path: converter.path)
    }

    // MARK: requestsMapping

    static func parseRequests(_ section: ConfigReader) throws(ConfigError) -> MQTTRequestsMapping {
        var requests = MQTTRequestsMapping()
        for entry in try sectionEntries(section, "connectRequests") {
            requests.connectRequests.append(try parseDeviceRequest(entry))
        }
        for entry in try sectionEntries(section, "disconnectRequests") {
            requests.disconnectRequests.append(try parseDeviceRequest(entry))
        }
        for entry in try sectionEntries(section, "attributeRequests") {
            requests.attributeRequests.append(try parseAttributeRequest(entry))
        }
        for entry in try sectionEntries(section, "attributeUpdates") {
            requests.attributeUpdates.append(try parseAttributeUpdate(entry))
        }
        for entry in try sectionEntries(section, "serverSideRpc") {
            requests.serverSideRpc.append(try parseServerSideRPC(entry))
        }
        return requests
    }

    /// A request section is a list; an empty object `{}` (which the reference writes for an
    /// empty section) also means "none".
    static func sectionEntries(_ section: ConfigReader, _ key: String) throws(ConfigError) -> [ConfigReader] {
        if case .object(let object)? = section.value(key) {
            guard object.isEmpty else {
                throw section.failure(key, expected: "a list of entries", found: section.value(key))
            }
            return []
        }
        return try section.objects(key)
    }

    static func parseDeviceRequest(_ entry: ConfigReader) throws(ConfigError) -> MQTTDeviceRequest {
        let filter = try topicFilter(entry, "topicFilter")
        let (name, profile) = try deviceInfo(entry, bytes: false)
        return MQTTDeviceRequest(topicFilter: filter, subscriptionQoS: try qos(entry, "subscriptionQos", default: .atLeastOnce),
                                 deviceName: name, deviceProfile: profile)
    }

    static func parseAttributeRequest(_ entry: ConfigReader) throws(ConfigError) -> MQTTAttributeRequest {
        let filter = try topicFilter(entry, "topicFilter")
        let (name, _) = try deviceInfo(entry, bytes: false)
        let sources = MQTTDeviceExpression.Source.allCases.map(\.rawValue)
        let nameSourceText = try entry.choice("attributeNameExpressionSource", of: sources, default: "message")
        let nameSource = MQTTDeviceExpression.Source(rawValue: nameSourceText) ?? .message
        let nameExpression = try entry.string("attributeNameExpression", default: nil)
        let attributeNames: MQTTAttributeNames
        do {
            attributeNames = try MQTTAttributeNames(source: nameSource, expression: nameExpression)
        } catch {
            throw expressionFailure(entry, "attributeNameExpression", error)
        }
        let scope = try entry.choice("scope", of: ["shared", "client"], default: "shared")
        let topicExpression = try entry.string("topicExpression", default: nil)
        let valueExpression = try entry.string("valueExpression", default: nil)
        return MQTTAttributeRequest(
            topicFilter: filter, subscriptionQoS: try qos(entry, "subscriptionQos", default: .atLeastOnce),
            deviceName: name, attributeNameSource: nameSource,
            attributeNameExpression: nameExpression,
            scope: MQTTAttributeRequest.Scope(rawValue: scope) ?? .shared,
            topicExpression: topicExpression, valueExpression: valueExpression,
            retain: try entry.bool("retain", default: false), qos: try qos(entry, "qos", default: .atMostOnce),
            attributeNames: attributeNames,
            topicTemplate: try template(entry, "topicExpression", topicExpression, usage: .topic),
            valueTemplate: try template(entry, "valueExpression", valueExpression))
    }

    static func parseAttributeUpdate(_ entry: ConfigReader) throws(ConfigError) -> MQTTAttributeUpdate {
        let deviceNameFilter = try regex(entry, "deviceNameFilter")
        let attributeFilter = try regex(entry, "attributeFilter")
        let topicExpression = try entry.string("topicExpression", default: nil)
        let valueExpression = try entry.string("valueExpression", default: nil)
        return MQTTAttributeUpdate(
            deviceNameFilter: deviceNameFilter.pattern, attributeFilter: attributeFilter.pattern,
            topicExpression: topicExpression, valueExpression: valueExpression,
            retain: try entry.bool("retain", default: false), qos: try qos(entry, "qos", default: .atMostOnce),
            deviceNameRegex: deviceNameFilter, attributeRegex: attributeFilter,
            topicTemplate: try template(entry, "topicExpression", topicExpression, usage: .topic),
            valueTemplate: try template(entry, "valueExpression", valueExpression))
    }

    /// `responseTimeout` in milliseconds, as the reference reads it: a number or numeric text
    /// (fractions round up); `0`, `""` or `false` mean none (without `type`, such an entry
    /// is one-way, as in the reference; with `type: twoWay` it waits, see README).
    static func responseTimeout(_ entry: ConfigReader) throws(ConfigError) -> Int64? {
        guard let value = entry.value("responseTimeout") else { return nil }
        let milliseconds: Double?
        switch value {
        case .null, .bool(false): return nil
        case .string(let text) where text.isEmpty: return nil
        case .int, .uint, .double: milliseconds = value.doubleValue
        case .string(let text): milliseconds = PythonText.parseFloat(text)
        default: milliseconds = nil
        }
        guard let milliseconds, !milliseconds.isNaN, milliseconds >= 0 else {
            throw entry.failure("responseTimeout", expected: "milliseconds (a number of 0 or more; 0 means none)", found: value)
        }
        // A huge value means "wait as long as ThingsBoard does"; ThingsBoard's own timeout ends it.
        return milliseconds == 0 ? nil : Int64(min(milliseconds, 9.0e18).rounded(.up))
    }

    static func parseServerSideRPC(_ entry: ConfigReader) throws(ConfigError) -> MQTTServerSideRPC {
        let deviceNameFilter = try regex(entry, "deviceNameFilter")
        let methodFilter = try regex(entry, "methodFilter")
        let requestTopic = try entry.string("requestTopicExpression", default: nil)
        let responseTopic = try entry.string("responseTopicExpression", nonEmpty: true)
        let valueExpression = try entry.string("valueExpression", default: nil)
        // Without `type`, an entry with a response topic is two-way, unless its `responseTimeout`
        // is written as none (0, "", false): the reference then publishes one-way.
        let timeout = try responseTimeout(entry)
        let timeoutWrittenAsNone = entry.has("responseTimeout") && timeout == nil
        let kindName = try entry.choice("type", of: ["twoWay", "oneWay"],
                                        default: responseTopic == nil || timeoutWrittenAsNone ? "oneWay" : "twoWay")
        let kind = MQTTServerSideRPC.Kind(rawValue: kindName) ?? .oneWay
        if kind == .twoWay, responseTopic == nil {
            throw entry.failure("responseTopicExpression", expected: "a topic template (type \"twoWay\")", found: nil)
        }
        return MQTTServerSideRPC(
            kind: kind, deviceNameFilter: deviceNameFilter.pattern, methodFilter: methodFilter.pattern,
            requestTopicExpression: requestTopic, responseTopicExpression: responseTopic,
            responseTopicQoS: try qos(entry, "responseTopicQoS", default: .atLeastOnce),
            responseTimeoutMs: timeout,
            valueExpression: valueExpression,
            retain: try entry.bool("retain", default: false), qos: try qos(entry, "qos", default: .atMostOnce),
            deviceNameRegex: deviceNameFilter, methodRegex: methodFilter,
            requestTopicTemplate: try template(entry, "requestTopicExpression", requestTopic, usage: .topic),
            responseTopicTemplate: try responseTopic.map { text throws(ConfigError) in
                try template(entry, "responseTopicExpression", text, usage: .topic)
            },
            valueTemplate: try template(entry, "valueExpression", valueExpression))
    }

    // MARK: shared pieces

    /// `deviceInfo.deviceNameExpression(Source)` and `deviceProfileExpression(Source)` of `owner`.
    static func deviceInfo(_ owner: ConfigReader, bytes: Bool) throws(ConfigError)
        -> (name: MQTTDeviceExpression, profile: MQTTDeviceExpression?)
    {
        guard let info = try owner.child("deviceInfo") else {
            throw owner.failure("deviceInfo", expected: "an object with deviceNameExpressionSource and deviceNameExpression "
                                + "(or the older deviceNameJsonExpression / deviceNameTopicExpression)", found: nil)
        }
        let name = try deviceExpression(info, "deviceName", bytes: bytes, required: true)!
        let profile = try deviceExpression(info, "deviceProfile", bytes: bytes, required: false)
        return (name, profile)
    }

    private static func deviceExpression(_ info: ConfigReader, _ prefix: String, bytes: Bool, required: Bool)
        throws(ConfigError) -> MQTTDeviceExpression?
    {
        let expressionKey = "\(prefix)Expression"
        let sources = MQTTDeviceExpression.Source.allCases.map(\.rawValue)
        let sourceName: String? = info.has("\(prefix)ExpressionSource")
            ? try info.choice("\(prefix)ExpressionSource", of: sources, default: nil) : nil
        guard let expression = try info.string(expressionKey, nonEmpty: true) else {
            if required { throw info.failure(expressionKey, expected: "a non-empty string", found: nil) }
            return nil
        }
        let source = sourceName.flatMap(MQTTDeviceExpression.Source.init(rawValue:))
        do {
            return bytes ? try MQTTDeviceExpression(bytesSource: source, expression: expression)
                : try MQTTDeviceExpression(jsonSource: source, expression: expression)
        } catch {
            throw expressionFailure(info, expressionKey, error)
        }
    }

    static func topicFilter(_ reader: ConfigReader, _ key: String) throws(ConfigError) -> MQTTTopicFilter {
        let text = try reader.string(key, default: nil)
        do {
            return try MQTTTopicFilter(text)
        } catch {
            throw reader.failure(key, expected: "an MQTT topic filter (\(error.reason))", found: .string(text))
        }
    }

    static func qos(_ reader: ConfigReader, _ key: String, default defaultValue: MQTTQoS) throws(ConfigError) -> MQTTQoS {
        let level = try reader.int(key, default: Int(defaultValue.rawValue), in: 0...2)
        return MQTTQoS(rawValue: UInt8(level)) ?? defaultValue
    }

    /// A regular expression; "" is allowed (it matches everything, as in the reference).
    static func regex(_ reader: ConfigReader, _ key: String) throws(ConfigError) -> PythonRegex {
        guard let pattern = try reader.string(key) else {
            throw reader.failure(key, expected: "a regular expression", found: nil)
        }
        do {
            return try PythonRegex(pattern)
        } catch {
            throw reader.failure(key, expected: "a valid regular expression", found: .string(pattern))
        }
    }

    static func template(_ reader: ConfigReader, _ key: String, _ text: String,
                         usage: DownlinkTemplate.Usage = .payload) throws(ConfigError) -> DownlinkTemplate {
        do {
            return try DownlinkTemplate(text, usage: usage)
        } catch {
            throw expressionFailure(reader, key, error)
        }
    }

    static func expressionFailure(_ reader: ConfigReader, _ key: String, _ error: ExpressionError) -> ConfigError {
        reader.failure(key, expected: "a valid expression (\(error.reason))", found: .string(error.expression))
    }
}
