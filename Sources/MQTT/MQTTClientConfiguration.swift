import NIOCore
import NIOSSL

/// TLS settings, turned into an NIOSSL context per connection attempt.
public struct MQTTTLSConfiguration: Sendable {
    /// PEM CA bundle; when set the server certificate MUST chain to it. nil = system trust store.
    public var caCertificateFile: String?
    /// Client certificate (PEM) and its private key, for servers that require one.
    public var certificateFile: String?
    public var privateKeyFile: String?
    /// false = "insecure" mode of the reference gateway: the chain is still verified, the hostname is not.
    public var verifyHostname: Bool
    /// SNI / name to verify; defaults to the configured host.
    public var serverName: String?

    public init(caCertificateFile: String? = nil, certificateFile: String? = nil, privateKeyFile: String? = nil,
                verifyHostname: Bool = true, serverName: String? = nil) {
        self.caCertificateFile = caCertificateFile
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.verifyHostname = verifyHostname
        self.serverName = serverName
    }

    func makeSSLContext() throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caCertificateFile { tls.trustRoots = .file(caCertificateFile) }
        if let certificateFile {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
        }
        if let privateKeyFile { tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: privateKeyFile, format: .pem)) }
        tls.certificateVerification = verifyHostname ? .fullVerification : .noHostnameVerification
        return try NIOSSLContext(configuration: tls)
    }

    /// The name sent as SNI and verified. IP literals cannot be SNI names; for them NIOSSL verifies the
    /// certificate against the peer's address instead, which is what we want.
    func hostnameForVerification(host: String) -> String? {
        let name = serverName ?? host
        let isIPLiteral = (try? SocketAddress(ipAddress: name, port: 0)) != nil
        return isIPLiteral ? nil : name
    }
}

public struct MQTTClientConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var clientID: String
    public var version: MQTTVersion
    /// Zero = keep-alive off.
    public var keepAlive: Duration
    /// v5: Clean Start.
    public var cleanSession: Bool
    /// v5 CONNECT Session Expiry Interval (seconds).
    public var sessionExpiryInterval: UInt32?
    public var username: String?
    public var password: [UInt8]?
    public var will: MQTTMessage?
    /// nil = plain TCP. A TLS failure is an error; the client never retries in plaintext.
    public var tls: MQTTTLSConfiguration?
    /// Connect through this HTTP proxy (CONNECT tunnel); nil: directly.
    public var httpProxy: MQTTHTTPProxy?
    /// Covers TCP connect, TLS handshake and CONNACK.
    public var connectTimeout: Duration
    /// A SUBSCRIBE or UNSUBSCRIBE the server leaves unanswered this long means a broken
    /// connection: it is closed (the request fails with `connectionLost`), so the caller's
    /// reconnect subscribes again instead of waiting forever.
    public var requestTimeout: Duration = .seconds(30)
    /// v5 CONNECT Receive Maximum: inbound QoS 1/2 window we allow the server.
    public var receiveMaximum: UInt16?
    /// v5 CONNECT Maximum Packet Size; also the decoder's limit for inbound frames.
    public var maximumPacketSize: UInt32?
    /// Most QoS 1/2 publishes unacknowledged on the wire; also capped by the server's Receive Maximum.
    public var outboundWindow: Int
    /// v5 CONNECT user properties.
    public var userProperties: [MQTTUserProperty]
    /// Inbound messages buffered for a slow `messages` consumer before the socket stops being read.
    public var inboundBufferHighWatermark: Int
    /// The same bound in payload bytes (large messages: 1,000 of 500 KiB would hold 500 MB);
    /// reading resumes below half of it.
    public var inboundBufferHighWatermarkBytes: Int = 64 << 20
    /// Linux: acknowledge received TCP data at once (TCP_QUICKACK after every read) instead of
    /// the kernel's delayed ACK. A broker that leaves Nagle's algorithm on (mosquitto's default)
    /// holds its second PUBACK of a burst until our ACK of the first arrives, which the delayed
    /// ACK postpones by ≈40 ms: a client that waits for its PUBACKs would wait that long. Off by
    /// default: a client that mostly receives (a connector reading sensors) gains nothing and
    /// would double the packets it sends (a bare ACK before each PUBACK).
    public var acknowledgesReadsImmediately: Bool
    /// Inbound QoS 1 and 2 messages are acknowledged (PUBACK, PUBREC) only when the consumer calls
    /// `MQTTClient.acknowledge` with the message's `acknowledgement`, not on receipt: a consumer that
    /// acknowledges once the message is stored lets a persistent session hold every message a crash
    /// could lose. The server sends at most its in-flight limit of unacknowledged messages (MQTT
    /// 3.1.1: the server's own, mosquitto's `max_inflight_messages` is 20 by default; MQTT 5: the
    /// `receiveMaximum` announced here, 65,535 when absent), so this paces the stream.
    public var acknowledgesInboundOnRequest = false
    /// While messages trickle in, read the socket no sooner than this after the previous read, so
    /// that several come in one read: far fewer wake-ups per message (less CPU at moderate rates)
    /// for up to about this much added latency. A busy stream is read without pause. Nil (default):
    /// every arrival is read at once, as is any zero or negative value. While the client waits for
    /// an answer (SUBACK, PINGRESP, PUBACK or PUBCOMP of its own publish) nothing is held. See `MQTTReadPacer`.
    public var readBatching: Duration?

    public init(host: String, port: Int = 1883, clientID: String, version: MQTTVersion = .v5,
                keepAlive: Duration = .seconds(60), cleanSession: Bool = true, sessionExpiryInterval: UInt32? = nil,
                username: String? = nil, password: [UInt8]? = nil, will: MQTTMessage? = nil,
                tls: MQTTTLSConfiguration? = nil, connectTimeout: Duration = .seconds(10),
                receiveMaximum: UInt16? = nil, maximumPacketSize: UInt32? = nil, outboundWindow: Int = 1000,
                userProperties: [MQTTUserProperty] = [], inboundBufferHighWatermark: Int = 1000,
                acknowledgesReadsImmediately: Bool = false) {
        self.host = host
        self.port = port
        self.clientID = clientID
        self.version = version
        self.keepAlive = keepAlive
        self.cleanSession = cleanSession
        self.sessionExpiryInterval = sessionExpiryInterval
        self.username = username
        self.password = password
        self.will = will
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.receiveMaximum = receiveMaximum
        self.maximumPacketSize = maximumPacketSize
        self.outboundWindow = outboundWindow
        self.userProperties = userProperties
        self.inboundBufferHighWatermark = inboundBufferHighWatermark
        self.acknowledgesReadsImmediately = acknowledgesReadsImmediately
    }

    var keepAliveSeconds: UInt16 {
        UInt16(clamping: keepAlive.components.seconds + (keepAlive.components.attoseconds > 0 ? 1 : 0))
    }

    func makeConnectPacket() -> MQTTConnectPacket {
        var properties: [MQTTProperty] = []
        if version == .v5 {
            if let sessionExpiryInterval { properties.append(.sessionExpiryInterval(sessionExpiryInterval)) }
            if let receiveMaximum { properties.append(.receiveMaximum(receiveMaximum)) }
            if let maximumPacketSize { properties.append(.maximumPacketSize(maximumPacketSize)) }
            properties += userProperties.map { .userProperty($0.name, $0.value) }
        }
        let willPacket = will.map {
            MQTTWill(topic: $0.topic, payload: $0.payload, qos: $0.qos, retain: $0.retain,
                     properties: version == .v5 ? $0.properties.wireProperties : [])
        }
        return MQTTConnectPacket(version: version, clientID: clientID, cleanSession: cleanSession,
                                 keepAlive: keepAliveSeconds, username: username, password: password,
                                 will: willPacket, properties: properties)
    }
}

extension MQTTPublishProperties {
    /// Outbound properties on the wire (subscription identifiers are server-to-client only).
    var wireProperties: [MQTTProperty] {
        var list: [MQTTProperty] = []
        if let payloadFormatIndicator { list.append(.payloadFormatIndicator(payloadFormatIndicator)) }
        if let messageExpiryInterval { list.append(.messageExpiryInterval(messageExpiryInterval)) }
        if let contentType { list.append(.contentType(contentType)) }
        if let responseTopic { list.append(.responseTopic(responseTopic)) }
        if let correlationData { list.append(.correlationData(correlationData)) }
        for property in userProperties { list.append(.userProperty(property.name, property.value)) }
        return list
    }

    /// Collects the application-visible properties of an inbound PUBLISH; returns its topic alias apart.
    init(wire: [MQTTProperty], topicAlias: inout UInt16?) {
        self.init()
        for property in wire {
            switch property {
            case .payloadFormatIndicator(let v): payloadFormatIndicator = v
            case .messageExpiryInterval(let v): messageExpiryInterval = v
            case .contentType(let v): contentType = v
            case .responseTopic(let v): responseTopic = v
            case .correlationData(let v): correlationData = v
            case .userProperty(let n, let v): userProperties.append(MQTTUserProperty(n, v))
            case .subscriptionIdentifier(let v): subscriptionIdentifiers.append(v)
            case .topicAlias(let v): topicAlias = v
            default: break
            }
        }
    }
}
