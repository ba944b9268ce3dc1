import Modbus
import NIOSSL

/// How the model's connection settings become the protocol stack's endpoint, framing and TLS.
extension ModbusConnectionSettings: CustomStringConvertible {
    var endpoint: ModbusEndpoint {
        switch transport {
        case .tcp(let host, let port): .tcp(host: host, port: port)
        case .udp(let host, let port): .udp(host: host, port: port)
        case .serial(let port, let baudRate, let byteSize, let parity, let stopBits):
            .serial(ModbusSerialSettings(port: port, baudRate: baudRate, dataBits: byteSize,
                                         parity: parity.modbusParity, stopBits: stopBits))
        }
    }

    var modbusFraming: ModbusFraming {
        switch framing {
        case .socket: .socket
        case .rtu: .rtu
        case .ascii: .ascii
        }
    }

    /// A client TLS context when `tls` is configured: the client certificate and key if given,
    /// the CA file if given (else the system roots).
    func clientTLSContext() throws -> NIOSSLContext? {
        guard let tls else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile = tls.caFile {
            configuration.trustRoots = .file(caFile)
        }
        if let certFile = tls.certFile {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certFile).map { .certificate($0) }
        }
        if let keyFile = tls.keyFile {
            if let password = tls.password {
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem) { $0(password.utf8) })
            } else {
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
            }
        }
        return try NIOSSLContext(configuration: configuration)
    }

    /// A server TLS context from the server's `security` section (certificate and key required).
    func serverTLSContext() throws -> NIOSSLContext? {
        guard let tls, let certFile = tls.certFile, let keyFile = tls.keyFile else { return nil }
        let chain = try NIOSSLCertificate.fromPEMFile(certFile).map { NIOSSLCertificateSource.certificate($0) }
        let key: NIOSSLPrivateKeySource
        if let password = tls.password {
            key = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem) { $0(password.utf8) })
        } else {
            key = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
        }
        return try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: chain, privateKey: key))
    }

    public var description: String {
        let where_ = endpoint.description
        switch framing {
        case .socket: return tls == nil ? where_ : "\(where_) (TLS)"
        case .rtu: return "\(where_) (RTU)"
        case .ascii: return "\(where_) (ASCII)"
        }
    }
}

extension ModbusSerialParity {
    var modbusParity: ModbusParity {
        switch self {
        case .none: .none
        case .even: .even
        case .odd: .odd
        }
    }
}
