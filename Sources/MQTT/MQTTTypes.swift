import NIOCore

/// Protocol level spoken on the wire: 3 ("MQIsdp"), 4 (3.1.1) or 5.
public enum MQTTVersion: Sendable, Equatable {
    case v3_1, v3_1_1, v5

    var protocolName: String { self == .v3_1 ? "MQIsdp" : "MQTT" }
    var protocolLevel: UInt8 {
        switch self {
        case .v3_1: 3
        case .v3_1_1: 4
        case .v5: 5
        }
    }
    var hasProperties: Bool { self == .v5 }
}

public enum MQTTQoS: UInt8, Sendable, Comparable {
    case atMostOnce = 0, atLeastOnce = 1, exactlyOnce = 2
    public static func < (lhs: MQTTQoS, rhs: MQTTQoS) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A v5 user property (name, value); a struct so lists of them are Sendable and Equatable.
public struct MQTTUserProperty: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// The v5 properties an application sees on a PUBLISH (topic alias is resolved by the client).
public struct MQTTPublishProperties: Sendable, Equatable {
    public var payloadFormatIndicator: UInt8?
    public var messageExpiryInterval: UInt32?
    public var contentType: String?
    public var responseTopic: String?
    public var correlationData: [UInt8]?
    public var userProperties: [MQTTUserProperty]
    /// Inbound only: the identifiers of the subscriptions that matched.
    public var subscriptionIdentifiers: [UInt32]

    public init(payloadFormatIndicator: UInt8? = nil, messageExpiryInterval: UInt32? = nil, contentType: String? = nil,
                responseTopic: String? = nil, correlationData: [UInt8]? = nil,
                userProperties: [MQTTUserProperty] = [], subscriptionIdentifiers: [UInt32] = []) {
        self.payloadFormatIndicator = payloadFormatIndicator
        self.messageExpiryInterval = messageExpiryInterval
        self.contentType = contentType
        self.responseTopic = responseTopic
        self.correlationData = correlationData
        self.userProperties = userProperties
        self.subscriptionIdentifiers = subscriptionIdentifiers
    }
}

/// An application message, outbound (publish, will) or inbound (`MQTTClient.messages`).
public struct MQTTMessage: Sendable, Equatable {
    public var topic: String
    public var payload: ByteBuffer
    public var qos: MQTTQoS
    public var retain: Bool
    public var properties: MQTTPublishProperties
    /// Set on inbound QoS 1/2 messages when the client acknowledges them on request
    /// (`acknowledgesInboundOnRequest`): hand it to `MQTTClient.acknowledge`.
    public var acknowledgement: MQTTInboundAcknowledgement?

    public init(topic: String, payload: ByteBuffer, qos: MQTTQoS = .atLeastOnce, retain: Bool = false,
                properties: MQTTPublishProperties = MQTTPublishProperties()) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.properties = properties
    }

    public init(topic: String, payload: String, qos: MQTTQoS = .atLeastOnce, retain: Bool = false,
                properties: MQTTPublishProperties = MQTTPublishProperties()) {
        self.init(topic: topic, payload: ByteBuffer(string: payload), qos: qos, retain: retain, properties: properties)
    }
}

/// Names one inbound message whose acknowledgement waits for `MQTTClient.acknowledge`: the
/// connection it came on and its place in that connection's arrival order.
public struct MQTTInboundAcknowledgement: Sendable, Hashable {
    let connection: UInt64
    let sequence: UInt64
}

/// v5 Retain Handling subscription option.
public enum MQTTRetainHandling: UInt8, Sendable {
    case sendOnSubscribe = 0, sendOnSubscribeIfNew = 1, doNotSend = 2
}

public struct MQTTSubscription: Sendable, Equatable {
    public var filter: String
    public var qos: MQTTQoS
    /// v5: the server does not send our own publishes back (the gateway relies on this).
    public var noLocal: Bool
    public var retainAsPublished: Bool
    public var retainHandling: MQTTRetainHandling

    public init(filter: String, qos: MQTTQoS = .atLeastOnce, noLocal: Bool = false, retainAsPublished: Bool = false,
                retainHandling: MQTTRetainHandling = .sendOnSubscribe) {
        self.filter = filter
        self.qos = qos
        self.noLocal = noLocal
        self.retainAsPublished = retainAsPublished
        self.retainHandling = retainHandling
    }
}

/// v5 SUBSCRIBE properties.
public struct MQTTSubscribeProperties: Sendable, Equatable {
    public var subscriptionIdentifier: UInt32?
    public var userProperties: [MQTTUserProperty]
    public init(subscriptionIdentifier: UInt32? = nil, userProperties: [MQTTUserProperty] = []) {
        self.subscriptionIdentifier = subscriptionIdentifier
        self.userProperties = userProperties
    }
}

/// MQTT 5 reason codes (3.1.1 return codes map onto the same numbers where they mean the same).
public struct MQTTReasonCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    public var isFailure: Bool { rawValue >= 0x80 }

    public static let success = MQTTReasonCode(0x00)
    public static let normalDisconnection = MQTTReasonCode(0x00)
    public static let grantedQoS1 = MQTTReasonCode(0x01)
    public static let grantedQoS2 = MQTTReasonCode(0x02)
    public static let disconnectWithWillMessage = MQTTReasonCode(0x04)
    public static let noMatchingSubscribers = MQTTReasonCode(0x10)
    public static let noSubscriptionExisted = MQTTReasonCode(0x11)
    public static let unspecifiedError = MQTTReasonCode(0x80)
    public static let malformedPacket = MQTTReasonCode(0x81)
    public static let protocolError = MQTTReasonCode(0x82)
    public static let implementationSpecificError = MQTTReasonCode(0x83)
    public static let unsupportedProtocolVersion = MQTTReasonCode(0x84)
    public static let clientIdentifierNotValid = MQTTReasonCode(0x85)
    public static let badUserNameOrPassword = MQTTReasonCode(0x86)
    public static let notAuthorized = MQTTReasonCode(0x87)
    public static let serverUnavailable = MQTTReasonCode(0x88)
    public static let serverBusy = MQTTReasonCode(0x89)
    public static let sessionTakenOver = MQTTReasonCode(0x8E)
    public static let topicFilterInvalid = MQTTReasonCode(0x8F)
    public static let topicNameInvalid = MQTTReasonCode(0x90)
    public static let packetIdentifierInUse = MQTTReasonCode(0x91)
    public static let packetIdentifierNotFound = MQTTReasonCode(0x92)
    public static let receiveMaximumExceeded = MQTTReasonCode(0x93)
    public static let topicAliasInvalid = MQTTReasonCode(0x94)
    public static let packetTooLarge = MQTTReasonCode(0x95)
    public static let quotaExceeded = MQTTReasonCode(0x97)
    public static let payloadFormatInvalid = MQTTReasonCode(0x99)
    public static let keepAliveTimeout = MQTTReasonCode(0x8D)

    /// `0x86 (bad user name or password)`: the code and, for failures, what it means, so a log
    /// line tells the user what to fix.
    public var description: String {
        let code = "0x" + String(rawValue, radix: 16, uppercase: true)
        return meaning.map { "\(code) (\($0))" } ?? code
    }

    private var meaning: String? {
        switch rawValue {
        case 0x80: "unspecified error"
        case 0x81: "malformed packet"
        case 0x82: "protocol error"
        case 0x83: "implementation specific error"
        case 0x84: "unsupported protocol version"
        case 0x85: "client identifier not valid"
        case 0x86: "bad user name or password"
        case 0x87: "not authorized"
        case 0x88: "server unavailable"
        case 0x89: "server busy"
        case 0x8A: "banned"
        case 0x8B: "server shutting down"
        case 0x8C: "bad authentication method"
        case 0x8D: "keep alive timeout"
        case 0x8E: "session taken over"
        case 0x8F: "topic filter invalid"
        case 0x90: "topic name invalid"
        case 0x91: "packet identifier in use"
        case 0x92: "packet identifier not found"
        case 0x93: "receive maximum exceeded"
        case 0x94: "topic alias invalid"
        case 0x95: "packet too large"
        case 0x96: "message rate too high"
        case 0x97: "quota exceeded"
        case 0x98: "administrative action"
        case 0x99: "payload format invalid"
        case 0x9A: "retain not supported"
        case 0x9B: "QoS not supported"
        case 0x9C: "use another server"
        case 0x9D: "server moved"
        case 0x9E: "shared subscriptions not supported"
        case 0x9F: "connection rate exceeded"
        case 0xA0: "maximum connect time"
        case 0xA1: "subscription identifiers not supported"
        case 0xA2: "wildcard subscriptions not supported"
        default: nil
        }
    }

    /// 3.1.1 CONNACK return codes 1...5 expressed as their v5 equivalents.
    static func fromV311ConnectReturnCode(_ code: UInt8) -> MQTTReasonCode {
        switch code {
        case 0: .success
        case 1: .unsupportedProtocolVersion
        case 2: .clientIdentifierNotValid
        case 3: .serverUnavailable
        case 4: .badUserNameOrPassword
        case 5: .notAuthorized
        default: .unspecifiedError
        }
    }
}

/// What the server answered to CONNECT.
public struct MQTTConnAck: Sendable, Equatable {
    public var sessionPresent: Bool
    public var reasonCode: MQTTReasonCode
    public var sessionExpiryInterval: UInt32?
    public var receiveMaximum: UInt16?
    public var maximumQoS: MQTTQoS?
    public var retainAvailable: Bool?
    public var maximumPacketSize: UInt32?
    public var assignedClientIdentifier: String?
    public var topicAliasMaximum: UInt16?
    public var reasonString: String?
    public var userProperties: [MQTTUserProperty]
    public var wildcardSubscriptionAvailable: Bool?
    public var subscriptionIdentifiersAvailable: Bool?
    public var sharedSubscriptionAvailable: Bool?
    public var serverKeepAlive: UInt16?
    public var responseInformation: String?
    public var serverReference: String?

    init(packet: MQTTConnAckPacket) {
        sessionPresent = packet.sessionPresent
        reasonCode = packet.reasonCode
        userProperties = []
        for property in packet.properties {
            switch property {
            case .sessionExpiryInterval(let v): sessionExpiryInterval = v
            case .receiveMaximum(let v): receiveMaximum = v
            case .maximumQoS(let v): maximumQoS = MQTTQoS(rawValue: v)
            case .retainAvailable(let v): retainAvailable = v != 0
            case .maximumPacketSize(let v): maximumPacketSize = v
            case .assignedClientIdentifier(let v): assignedClientIdentifier = v
            case .topicAliasMaximum(let v): topicAliasMaximum = v
            case .reasonString(let v): reasonString = v
            case .userProperty(let n, let v): userProperties.append(MQTTUserProperty(n, v))
            case .wildcardSubscriptionAvailable(let v): wildcardSubscriptionAvailable = v != 0
            case .subscriptionIdentifierAvailable(let v): subscriptionIdentifiersAvailable = v != 0
            case .sharedSubscriptionAvailable(let v): sharedSubscriptionAvailable = v != 0
            case .serverKeepAlive(let v): serverKeepAlive = v
            case .responseInformation(let v): responseInformation = v
            case .serverReference(let v): serverReference = v
            default: break
            }
        }
    }
}

/// Outcome of a publish. QoS 0: `.success` once written. v5: the PUBACK/PUBREC reason code;
/// a code >= 0x80 means the server refused the message (`isSuccess == false`).
public struct MQTTPublishResult: Sendable, Equatable {
    public var reasonCode: MQTTReasonCode
    public var reasonString: String?
    public var isSuccess: Bool { !reasonCode.isFailure }
}

/// Per-filter answer in SUBACK: granted QoS (as reason code 0/1/2) or a failure code.
public struct MQTTSubscribeResult: Sendable, Equatable {
    public var reasonCode: MQTTReasonCode
    public var grantedQoS: MQTTQoS? { reasonCode.isFailure ? nil : MQTTQoS(rawValue: reasonCode.rawValue) }
}

public enum MQTTConnectionEvent: Sendable {
    case connected(MQTTConnAck)
    /// `reason` is nil after our own `disconnect()`; a server DISCONNECT arrives as `MQTTError.serverDisconnected`.
    case disconnected(reason: (any Error)?)
}

public enum MQTTError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered CONNECT with a failure code.
    case connectionRefused(MQTTReasonCode, reason: String?)
    /// The connection went away while the operation was pending (and no session keeps it).
    case connectionLost
    case notConnected
    case alreadyConnected
    case connectTimeout
    case shutDown
    /// The server sent DISCONNECT (v5) with this reason code.
    case serverDisconnected(MQTTReasonCode, reason: String?)
    case keepAliveTimeout
    /// The server did not answer a SUBSCRIBE or UNSUBSCRIBE within `requestTimeout`.
    case requestTimeout(String)
    case protocolViolation(String)
    case packetTooLarge(size: Int, limit: Int)
    case qosNotSupported(MQTTQoS)
    case subscribeFailed(String)
    case unsubscribeFailed([MQTTReasonCode])
    /// The HTTP proxy did not open a tunnel to the broker (its answer).
    case proxyRefused(String)
    /// The caller stopped waiting for the server's acknowledgement (`MQTTClient.abandon`).
    case abandoned
    /// A publish to a topic name the protocol forbids (empty, a `+`/`#` wildcard, U+0000, over
    /// 65,535 bytes): refused before sending, since the broker would close the connection for it.
    case invalidTopicName(String, reason: String)
    /// The consumer could not take a received message (`MQTTClient.refuse`): the connection was
    /// closed so that a persistent session sends it again.
    case inboundRefused

    public var description: String {
        switch self {
        case .connectionRefused(let code, let reason): "MQTT connection refused: \(code)\(reason.map { " (\($0))" } ?? "")"
        case .connectionLost: "MQTT connection lost before the operation completed"
        case .notConnected: "MQTT client is not connected"
        case .alreadyConnected: "MQTT client is already connected"
        case .connectTimeout: "MQTT CONNACK not received within the connect timeout"
        case .shutDown: "MQTT client was shut down"
        case .serverDisconnected(let code, let reason): "MQTT server disconnected: \(code)\(reason.map { " (\($0))" } ?? "")"
        case .keepAliveTimeout: "MQTT server did not answer PINGREQ within the keep-alive"
        case .requestTimeout(let what): "MQTT server did not answer \(what) in time; connection closed"
        case .protocolViolation(let what): "MQTT protocol violation: \(what)"
        case .packetTooLarge(let size, let limit): "MQTT packet of \(size) bytes exceeds the limit of \(limit)"
        case .qosNotSupported(let qos): "MQTT server does not support QoS \(qos.rawValue)"
        case .proxyRefused(let answer): "the HTTP proxy did not open a tunnel to the broker: \(answer)"
        case .subscribeFailed(let what): "MQTT subscribe failed: \(what)"
        case .unsubscribeFailed(let codes): "MQTT unsubscribe failed: \(codes)"
        case .abandoned: "MQTT publish abandoned before the server acknowledged it"
        case .invalidTopicName(let topic, let reason): "MQTT publish refused: topic \"\(topic)\" \(reason)"
        case .inboundRefused: "a received message could not be taken; connection closed so the broker sends it again"
        }
    }
}

extension MQTTMessage {
    /// Why the protocol forbids `topic` as a PUBLISH topic name (MQTT 3.1.1 §4.7.3, MQTT 5 §4.7.3:
    /// at least one character, no wildcard, no U+0000, at most 65,535 bytes), or nil when it is
    /// valid. Brokers close the connection of a client that publishes to such a topic.
    public static func topicNameProblem(_ topic: String) -> String? {
        var count = 0
        for byte in topic.utf8 {
            count += 1
            switch byte {
            case UInt8(ascii: "+"), UInt8(ascii: "#"): return "contains the wildcard '\(Character(Unicode.Scalar(byte)))'"
            case 0: return "contains U+0000"
            default: continue
            }
        }
        if count == 0 { return "is empty" }
        if count > 65_535 { return "is longer than 65,535 bytes" }
        return nil
    }
}
