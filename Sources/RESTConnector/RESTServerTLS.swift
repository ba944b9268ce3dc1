import GatewayKit
import NIOSSL

/// The server's TLS settings from `server.security{cert, key}` (PEM files), read once when the
/// connector is built, so a missing or unreadable file is a configuration error naming the key.
enum RESTServerTLS {
    static func configuration(_ files: RESTServerConfiguration.TLSFiles, file: String) throws(ConfigError)
        -> TLSConfiguration
    {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(files.certificateFile)
        } catch {
            throw ConfigError(file: file, keyPath: "server.security.cert",
                              expected: "a readable PEM certificate file (\(error))",
                              found: "\"\(files.certificateFile)\"")
        }
        guard !certificates.isEmpty else {
            throw ConfigError(file: file, keyPath: "server.security.cert", expected: "a PEM file with a certificate",
                              found: "\"\(files.certificateFile)\"")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: files.keyFile, format: .pem)
        } catch {
            throw ConfigError(file: file, keyPath: "server.security.key",
                              expected: "a readable PEM private key file (\(error))", found: "\"\(files.keyFile)\"")
        }
        return TLSConfiguration.makeServerConfiguration(certificateChain: certificates.map { .certificate($0) },
                                                        privateKey: .privateKey(key))
    }
}
