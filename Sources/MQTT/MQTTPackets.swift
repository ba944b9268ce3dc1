import NIOCore

/// Control packet types (fixed header high nibble).
public enum MQTTPacketType: UInt8, Sendable {
    case connect = 1, connack, publish, puback, pubrec, pubrel, pubcomp, subscribe, suback, unsubscribe, unsuback
    case pingreq, pingresp, disconnect, auth
}

/// The will message carried in CONNECT.
public struct MQTTWill: Sendable, Equatable {
    public var topic: String
    public var payload: ByteBuffer
    public var qos: MQTTQoS
    public var retain: Bool
    public var properties: [MQTTProperty]
    public init(topic: String, payload: ByteBuffer, qos: MQTTQoS, retain: Bool, properties: [MQTTProperty] = []) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.properties = properties
    }
}

public struct MQTTConnectPacket: Sendable, Equatable {
    public var version: MQTTVersion
    public var clientID: String
    public var cleanSession: Bool
    /// Seconds; 0 = off.
    public var keepAlive: UInt16
    public var username: String?
    public var password: [UInt8]?
    public var will: MQTTWill?
    public var properties: [MQTTProperty]
    public init(version: MQTTVersion, clientID: String, cleanSession: Bool, keepAlive: UInt16, username: String? = nil,
                password: [UInt8]? = nil, will: MQTTWill? = nil, properties: [MQTTProperty] = []) {
        self.version = version
        self.clientID = clientID
        self.cleanSession = cleanSession
        self.keepAlive = keepAlive
        self.username = username
        self.password = password
        self.will = will
        self.properties = properties
    }
}

public struct MQTTConnAckPacket: Sendable, Equatable {
    public var sessionPresent: Bool
    /// v3.1.1 return codes are kept as their raw number (0...5).
    public var reasonCode: MQTTReasonCode
    public var properties: [MQTTProperty]
    public init(sessionPresent: Bool, reasonCode: MQTTReasonCode, properties: [MQTTProperty] = []) {
        self.sessionPresent = sessionPresent
        self.reasonCode = reasonCode
        self.properties = properties
    }
}

public struct MQTTPublishPacket: Sendable, Equatable {
    public var topic: String
    public var payload: ByteBuffer
    public var qos: MQTTQoS
    public var retain: Bool
    public var dup: Bool
    /// Present exactly when qos > 0.
    public var packetID: UInt16?
    public var properties: [MQTTProperty]
    public init(topic: String, payload: ByteBuffer, qos: MQTTQoS, retain: Bool = false, dup: Bool = false,
                packetID: UInt16? = nil, properties: [MQTTProperty] = []) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.dup = dup
        self.packetID = packetID
        self.properties = properties
    }
}

/// PUBACK, PUBREC, PUBREL and PUBCOMP share this shape.
public struct MQTTAckPacket: Sendable, Equatable {
    public var packetID: UInt16
    public var reasonCode: MQTTReasonCode
    public var properties: [MQTTProperty]
    public init(packetID: UInt16, reasonCode: MQTTReasonCode = .success, properties: [MQTTProperty] = []) {
        self.packetID = packetID
        self.reasonCode = reasonCode
        self.properties = properties
    }
}

public struct MQTTSubscribePacket: Sendable, Equatable {
    public var packetID: UInt16
    public var subscriptions: [MQTTSubscription]
    public var properties: [MQTTProperty]
    public init(packetID: UInt16, subscriptions: [MQTTSubscription], properties: [MQTTProperty] = []) {
        self.packetID = packetID
        self.subscriptions = subscriptions
        self.properties = properties
    }
}

/// SUBACK and UNSUBACK (UNSUBACK has reason codes only in v5).
public struct MQTTSubAckPacket: Sendable, Equatable {
    public var packetID: UInt16
    public var reasonCodes: [MQTTReasonCode]
    public var properties: [MQTTProperty]
    public init(packetID: UInt16, reasonCodes: [MQTTReasonCode], properties: [MQTTProperty] = []) {
        self.packetID = packetID
        self.reasonCodes = reasonCodes
        self.properties = properties
    }
}

public struct MQTTUnsubscribePacket: Sendable, Equatable {
    public var packetID: UInt16
    public var filters: [String]
    public var properties: [MQTTProperty]
    public init(packetID: UInt16, filters: [String], properties: [MQTTProperty] = []) {
        self.packetID = packetID
        self.filters = filters
        self.properties = properties
    }
}

/// DISCONNECT and AUTH: a reason code and properties (both absent on 3.1.1 DISCONNECT).
public struct MQTTReasonPacket: Sendable, Equatable {
    public var reasonCode: MQTTReasonCode
    public var properties: [MQTTProperty]
    public init(reasonCode: MQTTReasonCode = .success, properties: [MQTTProperty] = []) {
        self.reasonCode = reasonCode
        self.properties = properties
    }
}

public enum MQTTPacket: Sendable, Equatable {
    case connect(MQTTConnectPacket)
    case connack(MQTTConnAckPacket)
    case publish(MQTTPublishPacket)
    case puback(MQTTAckPacket)
    case pubrec(MQTTAckPacket)
    case pubrel(MQTTAckPacket)
    case pubcomp(MQTTAckPacket)
    case subscribe(MQTTSubscribePacket)
    case suback(MQTTSubAckPacket)
    case unsubscribe(MQTTUnsubscribePacket)
    case unsuback(MQTTSubAckPacket)
    case pingreq
    case pingresp
    case disconnect(MQTTReasonPacket)
    case auth(MQTTReasonPacket)

    public var type: MQTTPacketType {
        switch self {
        case .connect: .connect
        case .connack: .connack
        case .publish: .publish
        case .puback: .puback
        case .pubrec: .pubrec
        case .pubrel: .pubrel
        case .pubcomp: .pubcomp
        case .subscribe: .subscribe
        case .suback: .suback
        case .unsubscribe: .unsubscribe
        case .unsuback: .unsuback
        case .pingreq: .pingreq
        case .pingresp: .pingresp
        case .disconnect: .disconnect
        case .auth: .auth
        }
    }
}
