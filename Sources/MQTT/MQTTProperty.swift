import NIOCore

/// One MQTT 5 property (section 2.2.2.2). Packets keep them as an ordered list so that encoding
/// reproduces exactly what was decoded; typed views (`MQTTConnAck`, `MQTTPublishProperties`) read them.
public enum MQTTProperty: Sendable, Hashable {
    case payloadFormatIndicator(UInt8)
    case messageExpiryInterval(UInt32)
    case contentType(String)
    case responseTopic(String)
    case correlationData([UInt8])
    case subscriptionIdentifier(UInt32)
    case sessionExpiryInterval(UInt32)
    case assignedClientIdentifier(String)
    case serverKeepAlive(UInt16)
    case authenticationMethod(String)
    case authenticationData([UInt8])
    case requestProblemInformation(UInt8)
    case willDelayInterval(UInt32)
    case requestResponseInformation(UInt8)
    case responseInformation(String)
    case serverReference(String)
    case reasonString(String)
    case receiveMaximum(UInt16)
    case topicAliasMaximum(UInt16)
    case topicAlias(UInt16)
    case maximumQoS(UInt8)
    case retainAvailable(UInt8)
    case userProperty(String, String)
    case maximumPacketSize(UInt32)
    case wildcardSubscriptionAvailable(UInt8)
    case subscriptionIdentifierAvailable(UInt8)
    case sharedSubscriptionAvailable(UInt8)

    var identifier: UInt8 {
        switch self {
        case .payloadFormatIndicator: 0x01
        case .messageExpiryInterval: 0x02
        case .contentType: 0x03
        case .responseTopic: 0x08
        case .correlationData: 0x09
        case .subscriptionIdentifier: 0x0B
        case .sessionExpiryInterval: 0x11
        case .assignedClientIdentifier: 0x12
        case .serverKeepAlive: 0x13
        case .authenticationMethod: 0x15
        case .authenticationData: 0x16
        case .requestProblemInformation: 0x17
        case .willDelayInterval: 0x18
        case .requestResponseInformation: 0x19
        case .responseInformation: 0x1A
        case .serverReference: 0x1C
        case .reasonString: 0x1F
        case .receiveMaximum: 0x21
        case .topicAliasMaximum: 0x22
        case .topicAlias: 0x23
        case .maximumQoS: 0x24
        case .retainAvailable: 0x25
        case .userProperty: 0x26
        case .maximumPacketSize: 0x27
        case .wildcardSubscriptionAvailable: 0x28
        case .subscriptionIdentifierAvailable: 0x29
        case .sharedSubscriptionAvailable: 0x2A
        }
    }

    /// Bytes this property takes on the wire (identifier included).
    var encodedSize: Int {
        switch self {
        case .payloadFormatIndicator, .requestProblemInformation, .requestResponseInformation, .maximumQoS,
             .retainAvailable, .wildcardSubscriptionAvailable, .subscriptionIdentifierAvailable,
             .sharedSubscriptionAvailable:
            return 2
        case .serverKeepAlive, .receiveMaximum, .topicAliasMaximum, .topicAlias:
            return 3
        case .messageExpiryInterval, .sessionExpiryInterval, .willDelayInterval, .maximumPacketSize:
            return 5
        case .contentType(let s), .responseTopic(let s), .assignedClientIdentifier(let s), .authenticationMethod(let s),
             .responseInformation(let s), .serverReference(let s), .reasonString(let s):
            return 3 + s.utf8.count
        case .correlationData(let b), .authenticationData(let b):
            return 3 + b.count
        case .subscriptionIdentifier(let v):
            return 1 + MQTTWire.variableByteIntegerSize(Int(v))
        case .userProperty(let n, let v):
            return 5 + n.utf8.count + v.utf8.count
        }
    }

    func write(into buffer: inout ByteBuffer) {
        buffer.writeInteger(identifier)
        switch self {
        case .payloadFormatIndicator(let v), .requestProblemInformation(let v), .requestResponseInformation(let v),
             .maximumQoS(let v), .retainAvailable(let v), .wildcardSubscriptionAvailable(let v),
             .subscriptionIdentifierAvailable(let v), .sharedSubscriptionAvailable(let v):
            buffer.writeInteger(v)
        case .serverKeepAlive(let v), .receiveMaximum(let v), .topicAliasMaximum(let v), .topicAlias(let v):
            buffer.writeInteger(v)
        case .messageExpiryInterval(let v), .sessionExpiryInterval(let v), .willDelayInterval(let v),
             .maximumPacketSize(let v):
            buffer.writeInteger(v)
        case .contentType(let s), .responseTopic(let s), .assignedClientIdentifier(let s), .authenticationMethod(let s),
             .responseInformation(let s), .serverReference(let s), .reasonString(let s):
            MQTTWire.writeString(s, into: &buffer)
        case .correlationData(let b), .authenticationData(let b):
            MQTTWire.writeBinary(b, into: &buffer)
        case .subscriptionIdentifier(let v):
            MQTTWire.writeVariableByteInteger(Int(v), into: &buffer)
        case .userProperty(let n, let v):
            MQTTWire.writeString(n, into: &buffer)
            MQTTWire.writeString(v, into: &buffer)
        }
    }

    static func read(from buffer: inout ByteBuffer) throws(MQTTDecodeError) -> MQTTProperty {
        guard let id: UInt8 = buffer.readInteger() else { throw .truncated("property identifier") }
        func byte() throws(MQTTDecodeError) -> UInt8 {
            guard let v: UInt8 = buffer.readInteger() else { throw .truncated("property 0x\(String(id, radix: 16))") }
            return v
        }
        func two() throws(MQTTDecodeError) -> UInt16 {
            guard let v: UInt16 = buffer.readInteger() else { throw .truncated("property 0x\(String(id, radix: 16))") }
            return v
        }
        func four() throws(MQTTDecodeError) -> UInt32 {
            guard let v: UInt32 = buffer.readInteger() else { throw .truncated("property 0x\(String(id, radix: 16))") }
            return v
        }
        switch id {
        case 0x01: return .payloadFormatIndicator(try byte())
        case 0x02: return .messageExpiryInterval(try four())
        case 0x03: return .contentType(try MQTTWire.readString(from: &buffer, "content type"))
        case 0x08: return .responseTopic(try MQTTWire.readString(from: &buffer, "response topic"))
        case 0x09: return .correlationData(try MQTTWire.readBinary(from: &buffer, "correlation data"))
        case 0x0B:
            let v = try MQTTWire.readVariableByteInteger(from: &buffer, "subscription identifier")
            guard v != 0 else { throw .invalidProperty(id) }
            return .subscriptionIdentifier(UInt32(v))
        case 0x11: return .sessionExpiryInterval(try four())
        case 0x12: return .assignedClientIdentifier(try MQTTWire.readString(from: &buffer, "assigned client identifier"))
        case 0x13: return .serverKeepAlive(try two())
        case 0x15: return .authenticationMethod(try MQTTWire.readString(from: &buffer, "authentication method"))
        case 0x16: return .authenticationData(try MQTTWire.readBinary(from: &buffer, "authentication data"))
        case 0x17: return .requestProblemInformation(try byte())
        case 0x18: return .willDelayInterval(try four())
        case 0x19: return .requestResponseInformation(try byte())
        case 0x1A: return .responseInformation(try MQTTWire.readString(from: &buffer, "response information"))
        case 0x1C: return .serverReference(try MQTTWire.readString(from: &buffer, "server reference"))
        case 0x1F: return .reasonString(try MQTTWire.readString(from: &buffer, "reason string"))
        case 0x21:
            let v = try two()
            guard v != 0 else { throw .invalidProperty(id) }
            return .receiveMaximum(v)
        case 0x22: return .topicAliasMaximum(try two())
        case 0x23: return .topicAlias(try two())
        case 0x24: return .maximumQoS(try byte())
        case 0x25: return .retainAvailable(try byte())
        case 0x26:
            let name = try MQTTWire.readString(from: &buffer, "user property name")
            return .userProperty(name, try MQTTWire.readString(from: &buffer, "user property value"))
        case 0x27:
            let v = try four()
            guard v != 0 else { throw .invalidProperty(id) }
            return .maximumPacketSize(v)
        case 0x28: return .wildcardSubscriptionAvailable(try byte())
        case 0x29: return .subscriptionIdentifierAvailable(try byte())
        case 0x2A: return .sharedSubscriptionAvailable(try byte())
        default: throw .invalidProperty(id)
        }
    }
}

extension [MQTTProperty] {
    /// Size of the property block without its length prefix.
    var encodedSize: Int { reduce(0) { $0 + $1.encodedSize } }

    /// Property length (variable byte integer) followed by the properties.
    func writeBlock(into buffer: inout ByteBuffer) {
        MQTTWire.writeVariableByteInteger(encodedSize, into: &buffer)
        for property in self { property.write(into: &buffer) }
    }

    var blockSize: Int {
        let size = encodedSize
        return MQTTWire.variableByteIntegerSize(size) + size
    }

    static func readBlock(from buffer: inout ByteBuffer) throws(MQTTDecodeError) -> [MQTTProperty] {
        let length = try MQTTWire.readVariableByteInteger(from: &buffer, "property length")
        guard var block = buffer.readSlice(length: length) else { throw .truncated("properties") }
        var properties: [MQTTProperty] = []
        while block.readableBytes > 0 { properties.append(try MQTTProperty.read(from: &block)) }
        return properties
    }
}
