import NIOCore

extension MQTTPacket {
    /// Writes the complete frame. The body size is computed first so the frame is written in one
    /// pass with no intermediate buffer (PUBLISH is the hot path).
    public func write(version: MQTTVersion, into buffer: inout ByteBuffer) {
        let size = bodySize(version: version)
        buffer.reserveCapacity(minimumWritableBytes: 1 + MQTTWire.variableByteIntegerSize(size) + size)
        buffer.writeInteger(type.rawValue << 4 | fixedHeaderFlags)
        MQTTWire.writeVariableByteInteger(size, into: &buffer)
        writeBody(version: version, into: &buffer)
    }

    /// Total frame size on the wire.
    public func encodedSize(version: MQTTVersion) -> Int {
        let size = bodySize(version: version)
        return 1 + MQTTWire.variableByteIntegerSize(size) + size
    }

    var fixedHeaderFlags: UInt8 {
        switch self {
        case .publish(let p): (p.dup ? 0x08 : 0) | p.qos.rawValue << 1 | (p.retain ? 0x01 : 0)
        case .pubrel, .subscribe, .unsubscribe: 0x02
        default: 0
        }
    }

    func bodySize(version: MQTTVersion) -> Int {
        let v5 = version.hasProperties
        switch self {
        case .connect(let c):
            let cv5 = c.version.hasProperties
            var size = 2 + c.version.protocolName.utf8.count + 1 + 1 + 2
            if cv5 { size += c.properties.blockSize }
            size += 2 + c.clientID.utf8.count
            if let will = c.will {
                if cv5 { size += will.properties.blockSize }
                size += 2 + will.topic.utf8.count + 2 + will.payload.readableBytes
            }
            if let username = c.username { size += 2 + username.utf8.count }
            if let password = c.password { size += 2 + password.count }
            return size
        case .connack(let c):
            return 2 + (v5 ? c.properties.blockSize : 0)
        case .publish(let p):
            return 2 + p.topic.utf8.count + (p.qos == .atMostOnce ? 0 : 2) + (v5 ? p.properties.blockSize : 0)
                + p.payload.readableBytes
        case .puback(let a), .pubrec(let a), .pubrel(let a), .pubcomp(let a):
            guard v5 else { return 2 }
            if a.properties.isEmpty { return a.reasonCode == .success ? 2 : 3 }
            return 3 + a.properties.blockSize
        case .subscribe(let s):
            return 2 + (v5 ? s.properties.blockSize : 0) + s.subscriptions.reduce(0) { $0 + 3 + $1.filter.utf8.count }
        case .suback(let s):
            return 2 + (v5 ? s.properties.blockSize : 0) + s.reasonCodes.count
        case .unsubscribe(let u):
            return 2 + (v5 ? u.properties.blockSize : 0) + u.filters.reduce(0) { $0 + 2 + $1.utf8.count }
        case .unsuback(let u):
            return v5 ? 2 + u.properties.blockSize + u.reasonCodes.count : 2
        case .pingreq, .pingresp:
            return 0
        case .disconnect(let d), .auth(let d):
            guard v5 else { return 0 }
            if d.properties.isEmpty { return d.reasonCode == .success ? 0 : 1 }
            return 1 + d.properties.blockSize
        }
    }

    func writeBody(version: MQTTVersion, into buffer: inout ByteBuffer) {
        let v5 = version.hasProperties
        switch self {
        case .connect(let c):
            MQTTWire.writeString(c.version.protocolName, into: &buffer)
            buffer.writeInteger(c.version.protocolLevel)
            var flags: UInt8 = c.cleanSession ? 0x02 : 0
            if let will = c.will { flags |= 0x04 | will.qos.rawValue << 3 | (will.retain ? 0x20 : 0) }
            if c.password != nil { flags |= 0x40 }
            if c.username != nil { flags |= 0x80 }
            buffer.writeInteger(flags)
            buffer.writeInteger(c.keepAlive)
            let cv5 = c.version.hasProperties
            if cv5 { c.properties.writeBlock(into: &buffer) }
            MQTTWire.writeString(c.clientID, into: &buffer)
            if let will = c.will {
                if cv5 { will.properties.writeBlock(into: &buffer) }
                MQTTWire.writeString(will.topic, into: &buffer)
                buffer.writeInteger(UInt16(will.payload.readableBytes))
                buffer.writeImmutableBuffer(will.payload)
            }
            if let username = c.username { MQTTWire.writeString(username, into: &buffer) }
            if let password = c.password { MQTTWire.writeBinary(password, into: &buffer) }
        case .connack(let c):
            buffer.writeInteger(UInt8(c.sessionPresent ? 1 : 0))
            buffer.writeInteger(c.reasonCode.rawValue)
            if v5 { c.properties.writeBlock(into: &buffer) }
        case .publish(let p):
            MQTTWire.writeString(p.topic, into: &buffer)
            if p.qos != .atMostOnce { buffer.writeInteger(p.packetID ?? 0) }
            if v5 { p.properties.writeBlock(into: &buffer) }
            buffer.writeImmutableBuffer(p.payload)
        case .puback(let a), .pubrec(let a), .pubrel(let a), .pubcomp(let a):
            buffer.writeInteger(a.packetID)
            guard v5, !(a.properties.isEmpty && a.reasonCode == .success) else { return }
            buffer.writeInteger(a.reasonCode.rawValue)
            if !a.properties.isEmpty { a.properties.writeBlock(into: &buffer) }
        case .subscribe(let s):
            buffer.writeInteger(s.packetID)
            if v5 { s.properties.writeBlock(into: &buffer) }
            for sub in s.subscriptions {
                MQTTWire.writeString(sub.filter, into: &buffer)
                var options = sub.qos.rawValue
                if v5 {
                    if sub.noLocal { options |= 0x04 }
                    if sub.retainAsPublished { options |= 0x08 }
                    options |= sub.retainHandling.rawValue << 4
                }
                buffer.writeInteger(options)
            }
        case .suback(let s):
            buffer.writeInteger(s.packetID)
            if v5 { s.properties.writeBlock(into: &buffer) }
            for code in s.reasonCodes { buffer.writeInteger(code.rawValue) }
        case .unsubscribe(let u):
            buffer.writeInteger(u.packetID)
            if v5 { u.properties.writeBlock(into: &buffer) }
            for filter in u.filters { MQTTWire.writeString(filter, into: &buffer) }
        case .unsuback(let u):
            buffer.writeInteger(u.packetID)
            if v5 {
                u.properties.writeBlock(into: &buffer)
                for code in u.reasonCodes { buffer.writeInteger(code.rawValue) }
            }
        case .pingreq, .pingresp:
            break
        case .disconnect(let d), .auth(let d):
            guard v5, !(d.properties.isEmpty && d.reasonCode == .success) else { return }
            buffer.writeInteger(d.reasonCode.rawValue)
            if !d.properties.isEmpty { d.properties.writeBlock(into: &buffer) }
        }
    }
}
