/// The reference's `method` key: how ADUs are framed. TLS is socket framing over TLS.
public enum ModbusFraming: Sendable, Hashable {
    /// MBAP (Modbus TCP/UDP/TLS).
    case socket
    case rtu
    case ascii

    /// A fresh framer for this framing; `role` matters for RTU only.
    public func makeFramer(role: ModbusFrameRole) -> any ModbusFramer {
        switch self {
        case .socket: MBAPFramer()
        case .rtu: RTUFramer(role: role)
        case .ascii: ASCIIFramer()
        }
    }
}

/// Where the other side is.
public enum ModbusEndpoint: Sendable, Hashable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case udp(host: String, port: Int)
    case serial(ModbusSerialSettings)

    public var description: String {
        switch self {
        case .tcp(let host, let port): "tcp://\(host):\(port)"
        case .udp(let host, let port): "udp://\(host):\(port)"
        case .serial(let settings): "serial:\(settings.port)@\(settings.baudRate)"
        }
    }
}

public enum ModbusParity: Sendable, Hashable {
    case none, even, odd
}

/// A serial line's settings (the reference's port/baudrate/bytesize/parity/stopbits keys).
public struct ModbusSerialSettings: Sendable, Hashable {
    public var port: String
    public var baudRate: Int
    public var dataBits: Int
    public var parity: ModbusParity
    public var stopBits: Int

    public init(port: String, baudRate: Int = 19200, dataBits: Int = 8, parity: ModbusParity = .none,
                stopBits: Int = 1) {
        self.port = port
        self.baudRate = baudRate
        self.dataBits = dataBits
        self.parity = parity
        self.stopBits = stopBits
    }
}
