import GatewayKit

/// A validated socket connector configuration (`socket.json`, current or old layout).
public struct SocketConnectorConfiguration: Sendable, Equatable {
    public enum Transport: String, Sendable, Equatable {
        case tcp = "TCP"
        case udp = "UDP"
    }

    public var transport: Transport
    /// The local address the server binds to.
    public var address: String
    public var port: Int
    /// The most bytes one read takes (TCP `recv`, UDP datagram); each read is one message.
    public var bufferSize: Int
    public var devices: [SocketDeviceConfiguration]
    /// The connector-level report strategy (root `reportStrategy`).
    public var reportStrategy: ReportStrategy?
    /// The file used the old layout (transport keys at the top level, `addressFilter`).
    public var wasLegacyLayout: Bool

    public init(transport: Transport, address: String, port: Int, bufferSize: Int,
                devices: [SocketDeviceConfiguration], reportStrategy: ReportStrategy? = nil,
                wasLegacyLayout: Bool = false) {
        self.transport = transport
        self.address = address
        self.port = port
        self.bufferSize = bufferSize
        self.devices = devices
        self.reportStrategy = reportStrategy
        self.wasLegacyLayout = wasLegacyLayout
    }
}

/// One `devices[]` entry: which peers it takes and how their bytes become readings.
public struct SocketDeviceConfiguration: Sendable, Equatable {
    public var addressFilter: SocketAddressFilter
    public var deviceName: String
    public var deviceType: String
    public var encoding: SocketTextEncoding
    public var telemetry: [SocketDatapoint]
    public var attributes: [SocketDatapoint]
    public var attributeRequests: [SocketAttributeRequestRule]
    public var attributeUpdates: [SocketAttributeUpdateRule]
    public var serverSideRpc: [SocketRPCRule]
    public var reportStrategy: ReportStrategy?

    public init(addressFilter: SocketAddressFilter, deviceName: String, deviceType: String = "default",
                encoding: SocketTextEncoding = .utf8, telemetry: [SocketDatapoint] = [],
                attributes: [SocketDatapoint] = [], attributeRequests: [SocketAttributeRequestRule] = [],
                attributeUpdates: [SocketAttributeUpdateRule] = [], serverSideRpc: [SocketRPCRule] = [],
                reportStrategy: ReportStrategy? = nil) {
        self.addressFilter = addressFilter
        self.deviceName = deviceName
        self.deviceType = deviceType
        self.encoding = encoding
        self.telemetry = telemetry
        self.attributes = attributes
        self.attributeRequests = attributeRequests
        self.attributeUpdates = attributeUpdates
        self.serverSideRpc = serverSideRpc
        self.reportStrategy = reportStrategy
    }
}

/// A telemetry or attribute key: the bytes `[byteFrom:byteTo]` of a message (Python slice;
/// `byteTo` -1 or absent means "to the end", absent `byteFrom` "from the start").
public struct SocketDatapoint: Sendable, Equatable {
    public var key: String
    public var byteFrom: Int?
    /// nil: to the end of the message (`byteTo: -1` in the config).
    public var byteTo: Int?
    public var reportStrategy: ReportStrategy?

    public init(key: String, byteFrom: Int? = 0, byteTo: Int? = nil, reportStrategy: ReportStrategy? = nil) {
        self.key = key
        self.byteFrom = byteFrom
        self.byteTo = byteTo
        self.reportStrategy = reportStrategy
    }
}

/// An `attributeUpdates[]` entry: when ThingsBoard updates the shared attribute
/// `attributeOnThingsBoard`, its value (as Python's `str()` writes it) is encoded and written to
/// the device.
public struct SocketAttributeUpdateRule: Sendable, Equatable {
    public var attributeOnThingsBoard: String
    /// nil: the device's encoding.
    public var encoding: SocketTextEncoding?

    public init(attributeOnThingsBoard: String, encoding: SocketTextEncoding? = nil) {
        self.attributeOnThingsBoard = attributeOnThingsBoard
        self.encoding = encoding
    }
}

/// A `serverSideRpc[]` entry: the RPC `methodRPC` writes its params to the device; with
/// `withResponse` the device's next message is the RPC's answer.
public struct SocketRPCRule: Sendable, Equatable {
    public var methodRPC: String
    public var withResponse: Bool
    /// nil: the device's encoding.
    public var encoding: SocketTextEncoding?

    public init(methodRPC: String, withResponse: Bool = false, encoding: SocketTextEncoding? = nil) {
        self.methodRPC = methodRPC
        self.withResponse = withResponse
        self.encoding = encoding
    }
}
