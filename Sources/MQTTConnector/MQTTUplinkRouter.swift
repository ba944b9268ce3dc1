import GatewayKit
import Logging
import MQTT

/// Routes one received message: to every mapping whose filter matches it (each converter runs,
/// as in the reference), else to the connect requests, else the disconnect requests, else the
/// attribute requests. Pure: no I/O, so routing and conversion are tested without a broker.
struct MQTTUplinkRouter: Sendable {
    struct Route: Sendable {
        let filter: MQTTTopicFilter
        let converter: any MQTTUplinkConverter
        /// Device level: the mapping's strategy, else the connector's.
        let reportStrategy: ReportStrategy?
        /// The MQTT 5 subscription identifier of its filter (`subscriptionIdentifier(for:)`).
        var subscription: UInt32 = 0
    }

    enum DeviceEvent: Sendable, Equatable {
        case connect(deviceName: String, profile: String)
        case disconnect(deviceName: String)
        case attributeRequest(MQTTAttributeRequestCall)
    }

    struct Result: Sendable {
        var data: [ConvertedData] = []
        var problems: [String] = []
        var deviceEvents: [DeviceEvent] = []
        var matched = false
    }

    let routes: [Route]
    let connectRequests: [MQTTDeviceRequest]
    let disconnectRequests: [MQTTDeviceRequest]
    let attributeRequests: [MQTTAttributeRequest]
    /// Every filter to subscribe on each connect, once each, at the highest QoS asked for it.
    let subscriptions: [MQTTSubscription]
    /// Mappings left out (a custom converter nobody registered), for the start-up log.
    let skipped: [String]
    /// Subscription identifiers of the requests, entry by entry, and of every subscription.
    private let connectRequestSubscriptions: [UInt32]
    private let disconnectRequestSubscriptions: [UInt32]
    private let attributeRequestSubscriptions: [UInt32]
    private let knownIdentifiers: Set<UInt32>

    init(configuration: MQTTConnectorConfiguration, file: String, logger: Logger) throws(ConfigError) {
        var routes: [Route] = []
        var skipped: [String] = []
        var shared: [String: any MQTTUplinkConverter] = [:]
        var subscriptions: [MQTTSubscription] = []
        func subscribe(_ filter: MQTTTopicFilter, _ qos: MQTTQoS) {
            if let index = subscriptions.firstIndex(where: { $0.filter == filter.filter }) {
                subscriptions[index].qos = max(subscriptions[index].qos, qos)
            } else {
                subscriptions.append(MQTTSubscription(filter: filter.filter, qos: qos))
            }
        }
        for (index, mapping) in configuration.mappings.enumerated() {
            let converter: any MQTTUplinkConverter
            switch mapping.converter {
            case .json(let spec): converter = JSONUplinkConverter(spec: spec)
            case .bytes(let spec): converter = BytesUplinkConverter(spec: spec)
            case .custom(let spec):
                let sharingKey = spec.sharedGlobal ? spec.extensionName : spec.sharedID
                if let sharingKey, let existing = shared[sharingKey] {
                    converter = existing
                } else if let made = try Self.makeCustom(spec, file: file, logger: logger) {
                    converter = made
                    if let sharingKey { shared[sharingKey] = made }
                } else {
                    skipped.append("mapping[\(index)] (\(mapping.topicFilter)): no custom converter named "
                                   + "\"\(spec.extensionName)\" is registered")
                    continue
                }
            }
            routes.append(Route(filter: mapping.topicFilter, converter: converter,
                                reportStrategy: mapping.reportStrategy ?? configuration.reportStrategy))
            subscribe(mapping.topicFilter, mapping.subscriptionQoS)
        }
        for request in configuration.requests.connectRequests + configuration.requests.disconnectRequests {
            subscribe(request.topicFilter, request.subscriptionQoS)
        }
        for request in configuration.requests.attributeRequests {
            subscribe(request.topicFilter, request.subscriptionQoS)
        }
        self.routes = routes.map { route in
            var route = route
            route.subscription = Self.subscriptionIdentifier(for: route.filter.filter)
            return route
        }
        connectRequestSubscriptions = configuration.requests.connectRequests.map { Self.subscriptionIdentifier(for: $0.topicFilter.filter) }
        disconnectRequestSubscriptions = configuration.requests.disconnectRequests.map { Self.subscriptionIdentifier(for: $0.topicFilter.filter) }
        attributeRequestSubscriptions = configuration.requests.attributeRequests.map { Self.subscriptionIdentifier(for: $0.topicFilter.filter) }
        knownIdentifiers = Set(subscriptions.map { Self.subscriptionIdentifier(for: $0.filter) })
        self.connectRequests = configuration.requests.connectRequests
        self.disconnectRequests = configuration.requests.disconnectRequests
        self.attributeRequests = configuration.requests.attributeRequests
        self.subscriptions = subscriptions
        self.skipped = skipped
    }

    private static func makeCustom(_ spec: MQTTCustomConverterSpec, file: String, logger: Logger)
        throws(ConfigError) -> (any MQTTUplinkConverter)?
    {
        guard let factory = MQTTCustomConverters.factory(named: spec.extensionName) else { return nil }
        let reader = try ConfigReader(.object(spec.converter), file: file, path: spec.path)
        do {
            return try factory(MQTTCustomConverterSetup(name: spec.extensionName, converter: reader,
                                                        extensionConfig: spec.extensionConfig, logger: logger))
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(file: file, keyPath: spec.path,
                              expected: "a configuration custom converter \"\(spec.extensionName)\" accepts",
                              found: "\(error)")
        }
    }

    /// Whether the connector's own subscriptions already deliver every message of `filter`: the
    /// same filter, or (for a topic without wildcards) a non-shared filter matching it.
    func covers(_ filter: MQTTTopicFilter) -> Bool {
        if subscriptions.contains(where: { $0.filter == filter.filter }) { return true }
        guard !filter.filter.contains("+"), !filter.filter.contains("#"), !filter.filter.hasPrefix("$share/") else { return false }
        return subscriptions.contains { subscription in
            guard !subscription.filter.hasPrefix("$share/"), let own = try? MQTTTopicFilter(subscription.filter) else { return false }
            return own.matches(filter.filter)
        }
    }

    /// The MQTT 5 subscription identifier the connector gives a filter: derived from the filter
    /// text (FNV-1a, in 1...268,435,455), not from its place in the configuration, so messages a
    /// persistent session queued before a configuration change still name the right filter. Two
    /// filters that happen to share one are merely told apart less well (a copy goes to both).
    static func subscriptionIdentifier(for filter: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in filter.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return hash % 268_435_455 + 1
    }

    /// - Parameter subscriptions: the subscription identifiers the broker sent with this copy of
    ///   the message (MQTT 5). Which mappings and requests apply is decided by the topic, as
    ///   without identifiers; the identifiers say which of them this copy is for, so a message
    ///   matching overlapping filters, which the broker delivers once per subscription, is
    ///   converted once by each mapping and acted on once by each request, not once per copy.
    ///   Nil (MQTT 3.1.1, a broker without identifiers), or identifiers of no subscription of
    ///   this router: every copy goes to everything that applies.
    func route(_ message: MQTTUplinkMessage, subscriptions: [UInt32]? = nil) -> Result {
        var topic = message.topic
        let delivering = subscriptions.flatMap { ids in ids.contains(where: knownIdentifiers.contains) ? ids : nil }
        return topic.withUTF8 { route(message, topicUTF8: $0, subscriptions: delivering) }
    }

    private func route(_ message: MQTTUplinkMessage, topicUTF8 topic: UnsafeBufferPointer<UInt8>,
                       subscriptions delivering: [UInt32]?) -> Result {
        var result = Result()
        func isForThisCopy(_ subscription: UInt32) -> Bool { delivering?.contains(subscription) ?? true }
        for route in routes where route.filter.matches(utf8: topic) {
            result.matched = true
            guard isForThisCopy(route.subscription) else { continue }
            var converted: [ConvertedData]
            do {
                converted = try route.converter.convert(message)
            } catch {
                result.problems.append(error.reason)
                converted = error.partial
            }
            for var data in converted where !data.isEmpty {
                if data.reportStrategy == nil { data.reportStrategy = route.reportStrategy }
                result.data.append(data)
            }
        }
        guard !result.matched else { return result }

        // Not device data: maybe a device announcing itself. The payload is parsed once, and only
        // when an expression reads it.
        var parsed: JSONValue??
        func document() -> JSONValue? {
            if parsed == nil { parsed = .some(try? JSONValue.parse(message.payload.readableBytesView)) }
            return parsed!
        }
        for (index, request) in connectRequests.enumerated() where request.topicFilter.matches(utf8: topic) {
            result.matched = true
            guard isForThisCopy(connectRequestSubscriptions[index]) else { continue }
            guard let name = resolve(request.deviceName, message, document) else {
                result.problems.append("connect request on \(message.topic): no device name (\(request.deviceName) found nothing)")
                continue
            }
            let profile = request.deviceProfile.flatMap { resolve($0, message, document) }
                ?? (request.deviceProfile?.source == .topic ? request.deviceProfile?.expression : nil) ?? "default"
            result.deviceEvents.append(.connect(deviceName: name, profile: profile))
        }
        guard !result.matched else { return result }  // The reference stops at a connect request.
        for (index, request) in disconnectRequests.enumerated() where request.topicFilter.matches(utf8: topic) {
            result.matched = true
            let mine = isForThisCopy(disconnectRequestSubscriptions[index])
            guard let name = resolve(request.deviceName, message, document) else {
                if mine {
                    result.problems.append("disconnect request on \(message.topic): no device name (\(request.deviceName) found nothing)")
                }
                continue
            }
            if mine { result.deviceEvents.append(.disconnect(deviceName: name)) }
            break  // The reference acts on the first matching disconnect request only.
        }
        guard !result.matched else { return result }
        for (index, request) in attributeRequests.enumerated() where request.topicFilter.matches(utf8: topic) {
            result.matched = true
            // Whether this entry answers (found a device and names) decides, as without
            // identifiers, whether the later entries are tried; only its own copy acts on it.
            guard let name = resolve(request.deviceName, message, document) else {
                if isForThisCopy(attributeRequestSubscriptions[index]) {
                    result.problems.append("attribute request on \(message.topic): no device name (\(request.deviceName) found nothing)")
                }
                continue
            }
            let keys = request.attributeNames.names(topic: message.topic,
                                                    message: request.attributeNames.readsMessage ? document() : nil)
            guard !keys.isEmpty else {
                if isForThisCopy(attributeRequestSubscriptions[index]) {
                    result.problems.append("attribute request on \(message.topic): no attribute name "
                                           + "(\(request.attributeNameExpression) found nothing)")
                }
                continue
            }
            if isForThisCopy(attributeRequestSubscriptions[index]) {
                result.deviceEvents.append(.attributeRequest(MQTTAttributeRequestCall(
                    entryIndex: index, deviceName: name, keys: keys, clientScope: request.scope == .client)))
            }
            break  // The reference answers with the first entry that found a device and names.
        }
        return result
    }

    private func resolve(_ expression: MQTTDeviceExpression, _ message: MQTTUplinkMessage,
                         _ document: () -> JSONValue?) -> String? {
        guard expression.source == .message || (expression.source == nil && expression.expression.contains("${")) else {
            return expression.evaluate(topic: message.topic, message: .null)
        }
        guard let document = document() else { return nil }
        return expression.evaluate(topic: message.topic, message: document)
    }
}

/// An attribute request a device made (`attributeRequests` entry `entryIndex`): which attributes
/// of which device to ask ThingsBoard for.
struct MQTTAttributeRequestCall: Sendable, Equatable {
    var entryIndex: Int
    var deviceName: String
    var keys: [String]
    var clientScope: Bool
}
