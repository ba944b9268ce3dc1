import NIOCore

extension MQTTPacket {
    /// Parses one packet whose fixed header byte is `header` and whose body is exactly `body`.
    /// `version` is the protocol level agreed for the connection (CONNECT carries its own).
    public static func read(header: UInt8, body: inout ByteBuffer, version: MQTTVersion)
        throws(MQTTDecodeError) -> MQTTPacket
    {
        let typeValue = header >> 4
        let flags = header & 0x0F
        guard let type = MQTTPacketType(rawValue: typeValue), type != .auth || version == .v5 else {
            throw .unknownPacketType(typeValue)
        }
        let expectedFlags: UInt8? = switch type {
        case .publish: nil
        case .pubrel, .subscribe, .unsubscribe: 0x02
        default: 0
        }
        if let expectedFlags, flags != expectedFlags { throw .invalidFlags(packetType: typeValue, flags: flags) }
        let v5 = version.hasProperties
        let packet: MQTTPacket
        switch type {
        case .connect:
            packet = .connect(try readConnect(&body))
        case .connack:
            guard let ackFlags: UInt8 = body.readInteger(), let code: UInt8 = body.readInteger() else {
                throw .truncated("CONNACK")
            }
            guard ackFlags & 0xFE == 0 else { throw .invalidPacket("CONNACK acknowledge flags 0x\(String(ackFlags, radix: 16))") }
            let properties = v5 ? try [MQTTProperty].readBlock(from: &body) : []
            packet = .connack(MQTTConnAckPacket(sessionPresent: ackFlags == 1, reasonCode: MQTTReasonCode(code),
                                                properties: properties))
        case .publish:
            guard let qos = MQTTQoS(rawValue: (flags >> 1) & 0x03) else { throw .invalidFlags(packetType: typeValue, flags: flags) }
            let dup = flags & 0x08 != 0
            if qos == .atMostOnce && dup { throw .invalidFlags(packetType: typeValue, flags: flags) }
            let topic = try MQTTWire.readString(from: &body, "topic name")
            var packetID: UInt16?
            if qos != .atMostOnce {
                guard let id: UInt16 = body.readInteger() else { throw .truncated("packet identifier") }
                guard id != 0 else { throw .invalidPacket("packet identifier 0") }
                packetID = id
            }
            let properties = v5 ? try [MQTTProperty].readBlock(from: &body) : []
            let payload = body.readSlice(length: body.readableBytes)!
            packet = .publish(MQTTPublishPacket(topic: topic, payload: payload, qos: qos, retain: flags & 0x01 != 0,
                                                dup: dup, packetID: packetID, properties: properties))
        case .puback, .pubrec, .pubrel, .pubcomp:
            guard let id: UInt16 = body.readInteger() else { throw .truncated("packet identifier") }
            var ack = MQTTAckPacket(packetID: id)
            if v5, let code: UInt8 = body.readInteger() {
                ack.reasonCode = MQTTReasonCode(code)
                if body.readableBytes > 0 { ack.properties = try [MQTTProperty].readBlock(from: &body) }
            }
            switch type {
            case .puback: packet = .puback(ack)
            case .pubrec: packet = .pubrec(ack)
            case .pubrel: packet = .pubrel(ack)
            default: packet = .pubcomp(ack)
            }
        case .subscribe:
            guard let id: UInt16 = body.readInteger() else { throw .truncated("packet identifier") }
            let properties = v5 ? try [MQTTProperty].readBlock(from: &body) : []
            var subscriptions: [MQTTSubscription] = []
            while body.readableBytes > 0 {
                let filter = try MQTTWire.readString(from: &body, "topic filter")
                guard let options: UInt8 = body.readInteger() else { throw .truncated("subscription options") }
                guard options & (v5 ? 0xC0 : 0xFC) == 0, let qos = MQTTQoS(rawValue: options & 0x03),
                      let handling = MQTTRetainHandling(rawValue: (options >> 4) & 0x03)
                else { throw .invalidPacket("subscription options 0x\(String(options, radix: 16))") }
                subscriptions.append(MQTTSubscription(filter: filter, qos: qos, noLocal: options & 0x04 != 0,
                                                      retainAsPublished: options & 0x08 != 0, retainHandling: handling))
            }
            guard !subscriptions.isEmpty else { throw .invalidPacket("SUBSCRIBE without topic filters") }
            packet = .subscribe(MQTTSubscribePacket(packetID: id, subscriptions: subscriptions, properties: properties))
        case .suback, .unsuback:
            guard let id: UInt16 = body.readInteger() else { throw .truncated("packet identifier") }
            let hasBody = type == .suback || v5
            let properties = v5 ? try [MQTTProperty].readBlock(from: &body) : []
            var codes: [MQTTReasonCode] = []
            if hasBody {
                while let code: UInt8 = body.readInteger() { codes.append(MQTTReasonCode(code)) }
            }
            let ack = MQTTSubAckPacket(packetID: id, reasonCodes: codes, properties: properties)
            packet = type == .suback ? .suback(ack) : .unsuback(ack)
        case .unsubscribe:
            guard let id: UInt16 = body.readInteger() else { throw .truncated("packet identifier") }
            let properties = v5 ? try [MQTTProperty].readBlock(from: &body) : []
            var filters: [String] = []
            while body.readableBytes > 0 { filters.append(try MQTTWire.readString(from: &body, "topic filter")) }
            guard !filters.isEmpty else { throw .invalidPacket("UNSUBSCRIBE without topic filters") }
            packet = .unsubscribe(MQTTUnsubscribePacket(packetID: id, filters: filters, properties: properties))
        case .pingreq:
            packet = .pingreq
        case .pingresp:
            packet = .pingresp
        case .disconnect, .auth:
            var reason = MQTTReasonPacket()
            if v5, let code: UInt8 = body.readInteger() {
                reason.reasonCode = MQTTReasonCode(code)
                if body.readableBytes > 0 { reason.properties = try [MQTTProperty].readBlock(from: &body) }
            }
            packet = type == .disconnect ? .disconnect(reason) : .auth(reason)
        }
        if body.readableBytes > 0 { throw .trailingBytes(packetType: typeValue, count: body.readableBytes) }
        return packet
    }

    private static func readConnect(_ body: inout ByteBuffer) throws(MQTTDecodeError) -> MQTTConnectPacket {
        let name = try MQTTWire.readString(from: &body, "protocol name")
        guard let level: UInt8 = body.readInteger() else { throw .truncated("protocol level") }
        let version: MQTTVersion
        switch (name, level) {
        case ("MQIsdp", 3): version = .v3_1
        case ("MQTT", 4): version = .v3_1_1
        case ("MQTT", 5): version = .v5
        default: throw .invalidProtocol(name: name, level: level)
        }
        guard let flags: UInt8 = body.readInteger(), let keepAlive: UInt16 = body.readInteger() else {
            throw .truncated("CONNECT flags")
        }
        guard flags & 0x01 == 0 else { throw .invalidPacket("CONNECT reserved flag set") }
        let hasWill = flags & 0x04 != 0
        guard let willQoS = MQTTQoS(rawValue: (flags >> 3) & 0x03), hasWill || flags & 0x38 == 0 else {
            throw .invalidPacket("CONNECT will flags 0x\(String(flags, radix: 16))")
        }
        let v5 = version.hasProperties
        let properties = v5 ? try [MQTTProperty].readBlock(from: &body) : []
        let clientID = try MQTTWire.readString(from: &body, "client identifier")
        var will: MQTTWill?
        if hasWill {
            let willProperties = v5 ? try [MQTTProperty].readBlock(from: &body) : []
            let topic = try MQTTWire.readString(from: &body, "will topic")
            guard let length: UInt16 = body.readInteger(), let payload = body.readSlice(length: Int(length)) else {
                throw .truncated("will payload")
            }
            will = MQTTWill(topic: topic, payload: payload, qos: willQoS, retain: flags & 0x20 != 0, properties: willProperties)
        }
        let username = flags & 0x80 != 0 ? try MQTTWire.readString(from: &body, "user name") : nil
        let password = flags & 0x40 != 0 ? try MQTTWire.readBinary(from: &body, "password") : nil
        return MQTTConnectPacket(version: version, clientID: clientID, cleanSession: flags & 0x02 != 0,
                                 keepAlive: keepAlive, username: username, password: password, will: will,
                                 properties: properties)
    }
}
