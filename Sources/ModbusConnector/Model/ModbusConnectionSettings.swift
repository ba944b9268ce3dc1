import GatewayKit

/// Serial parity (`parity`: "N", "E" or "O").
public enum ModbusSerialParity: String, Sendable, Hashable {
    case none = "N"
    case even = "E"
    case odd = "O"
}

/// How requests are framed on the wire (`method`).
public enum ModbusFramingSetting: String, Sendable, Hashable {
    case socket
    case rtu
    case ascii
}

/// Where a device (or the gateway's own server) is reached.
public enum ModbusTransportSetting: Sendable, Hashable {
    case tcp(host: String, port: Int)
    case udp(host: String, port: Int)
    case serial(port: String, baudRate: Int, byteSize: Int, parity: ModbusSerialParity, stopBits: Int)
}

/// The `tls` object of a TCP device (or `security` of the server): passed to the TLS client /
/// server as the reference passes it to pymodbus.
public struct ModbusTLSSettings: Sendable, Hashable {
    public var certFile: String?
    public var keyFile: String?
    public var password: String?
    /// Not used by the reference's client; accepted so a CA can be pinned.
    public var caFile: String?

    public init(certFile: String? = nil, keyFile: String? = nil, password: String? = nil, caFile: String? = nil) {
        self.certFile = certFile
        self.keyFile = keyFile
        self.password = password
        self.caFile = caFile
    }

    init(_ reader: ConfigReader) throws(ConfigError) {
        certFile = try reader.string("certfile")
        keyFile = try reader.string("keyfile")
        password = try reader.string("password")
        let caFile = try reader.string("cafile")
        if let caFile { self.caFile = caFile } else { self.caFile = try reader.string("ca") }
    }
}

/// One physical connection. Hashable because devices on the same host:port (or serial port)
/// share a connection, as in the reference.
public struct ModbusConnectionSettings: Sendable, Hashable {
    public var transport: ModbusTransportSetting
    public var framing: ModbusFramingSetting
    public var tls: ModbusTLSSettings?
    /// Serial only: discard the echo of our own request (RS-485 adapters without echo cancel).
    public var handleLocalEcho: Bool

    public init(transport: ModbusTransportSetting, framing: ModbusFramingSetting = .socket,
                tls: ModbusTLSSettings? = nil, handleLocalEcho: Bool = false) {
        self.transport = transport
        self.framing = framing
        self.tls = tls
        self.handleLocalEcho = handleLocalEcho
    }

    /// Reads `type`, `host`, `port`, `method`, serial and TLS keys of a device or server entry.
    /// `method: "tls"` (a reference framer name) means socket framing over TLS.
    init(_ reader: ConfigReader, tlsKey: String, defaultHost: String, defaultPort: Int? = nil) throws(ConfigError) {
        // The reference lowercases `type`.
        let type = try reader.string("type", default: "tcp").lowercased()
        guard ["tcp", "udp", "serial"].contains(type) else {
            throw reader.failure("type", expected: "one of \"tcp\", \"udp\", \"serial\"", found: reader.value("type"))
        }
        let methodValue = try reader.string("method", default: "socket").lowercased()
        var useTLS = false
        switch methodValue {
        case "socket": framing = .socket
        case "rtu": framing = .rtu
        case "ascii": framing = .ascii
        case "tls": framing = .socket; useTLS = true
        default:
            throw reader.failure("method", expected: "one of \"socket\", \"rtu\", \"ascii\", \"tls\"",
                                 found: reader.value("method"))
        }
        handleLocalEcho = try reader.bool("handleLocalEcho", default: false)
        switch type {
        case "serial":
            let port = try reader.string("port", default: nil)
            let baudRate = try reader.int("baudrate", default: 19200, in: 1 ... 100_000_000)
            let byteSize = try reader.int("bytesize", default: 8, in: 5 ... 8)
            let stopBits = try reader.int("stopbits", default: 1, in: 1 ... 2)
            let parityName = try reader.string("parity", default: "N").uppercased()
            guard let parity = ModbusSerialParity(rawValue: parityName) else {
                throw reader.failure("parity", expected: "one of \"N\", \"E\", \"O\"", found: reader.value("parity"))
            }
            transport = .serial(port: port, baudRate: baudRate, byteSize: byteSize, parity: parity, stopBits: stopBits)
        default:
            let host = try reader.string("host", default: defaultHost)
            let port = try reader.int("port", default: defaultPort, in: 1 ... 65535)
            transport = type == "udp" ? .udp(host: host, port: port) : .tcp(host: host, port: port)
        }
        if let tlsReader = try reader.child(tlsKey), !tlsReader.object.isEmpty {
            tls = try ModbusTLSSettings(tlsReader)
        } else if useTLS {
            tls = ModbusTLSSettings()
        } else {
            tls = nil
        }
    }
}
