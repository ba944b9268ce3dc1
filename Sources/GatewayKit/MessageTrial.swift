/// What a connector makes of one message without any I/O, for `iot-gateway convert` and the
/// reference-diff tests: the connector's own routing and converters, before the gateway's
/// report-strategy filter. Connectors whose data comes from messages a user can paste (MQTT)
/// offer one through `ConnectorFactory.messageTrial`.
public protocol MessageTrial: Sendable {
    /// The connector's own report strategy (its configuration's root `reportStrategy`).
    var reportStrategy: ReportStrategy? { get }
    /// Parts of the configuration the connector leaves out (an unregistered custom converter).
    var skipped: [String] { get }
    func convert(topic: String, payload: [UInt8], receivedAt: Int64) -> MessageTrialOutcome
}

public struct MessageTrialOutcome: Sendable {
    /// The readings the connector hands the gateway, unfiltered.
    public var data: [ConvertedData]
    /// Device requests the message makes (connect, disconnect, attribute request).
    public var requests: [MessageTrialRequest]
    /// Conversion problems the connector would count and log.
    public var problems: [String]
    /// False when nothing of the configuration matches the topic.
    public var matched: Bool

    public init(data: [ConvertedData], requests: [MessageTrialRequest], problems: [String], matched: Bool) {
        self.data = data
        self.requests = requests
        self.problems = problems
        self.matched = matched
    }
}

public enum MessageTrialRequest: Sendable, Equatable {
    case connect(device: String, type: String)
    case disconnect(device: String)
    case attributes(device: String, keys: [String], clientScope: Bool)
}

extension ConnectorFactory {
    /// No trial unless the connector offers one.
    public static func messageTrial(configuration: JSONValue, file: String) throws -> (any MessageTrial)? { nil }
    public static var offersMessageTrial: Bool { false }
}
