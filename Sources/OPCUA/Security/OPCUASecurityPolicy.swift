/// The security policies of Part 7 this client speaks. `rawValue` is the policy URI sent on the wire.
public enum OPCUASecurityPolicy: String, Sendable, Hashable, CaseIterable {
    case none = "http://opcfoundation.org/UA/SecurityPolicy#None"
    case basic128Rsa15 = "http://opcfoundation.org/UA/SecurityPolicy#Basic128Rsa15"
    case basic256 = "http://opcfoundation.org/UA/SecurityPolicy#Basic256"
    case basic256Sha256 = "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256"
    case aes128Sha256RsaOaep = "http://opcfoundation.org/UA/SecurityPolicy#Aes128_Sha256_RsaOaep"
    case aes256Sha256RsaPss = "http://opcfoundation.org/UA/SecurityPolicy#Aes256_Sha256_RsaPss"

    public var uri: String { rawValue }

    /// The part after '#' ("Basic256Sha256"), as the reference gateway's config names policies.
    public var shortName: String { String(rawValue[rawValue.index(after: rawValue.lastIndex(of: "#")!)...]) }

    /// Accepts the full URI or the short name, case-insensitively ("basic256sha256" too); an empty string means
    /// None (Part 4: an empty UserTokenPolicy URI means "the channel's policy", which callers resolve first).
    public init?(name: String) {
        if name.isEmpty { self = .none; return }
        let lowered = name.lowercased()
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == lowered || $0.shortName.lowercased() == lowered })
        else { return nil }
        self = match
    }

    /// Algorithms and key lengths of the policy (nil for None).
    var suite: OPCUAAlgorithmSuite? {
        switch self {
        case .none: nil
        case .basic128Rsa15:
            OPCUAAlgorithmSuite(hash: .sha1, signingKeyLength: 16, encryptingKeyLength: 16, nonceLength: 16,
                                asymmetricSignature: .pkcs1v15SHA1, asymmetricEncryption: .pkcs1v15)
        case .basic256:
            OPCUAAlgorithmSuite(hash: .sha1, signingKeyLength: 24, encryptingKeyLength: 32, nonceLength: 32,
                                asymmetricSignature: .pkcs1v15SHA1, asymmetricEncryption: .oaepSHA1)
        case .basic256Sha256:
            OPCUAAlgorithmSuite(hash: .sha256, signingKeyLength: 32, encryptingKeyLength: 32, nonceLength: 32,
                                asymmetricSignature: .pkcs1v15SHA256, asymmetricEncryption: .oaepSHA1)
        case .aes128Sha256RsaOaep:
            OPCUAAlgorithmSuite(hash: .sha256, signingKeyLength: 32, encryptingKeyLength: 16, nonceLength: 32,
                                asymmetricSignature: .pkcs1v15SHA256, asymmetricEncryption: .oaepSHA1)
        case .aes256Sha256RsaPss:
            OPCUAAlgorithmSuite(hash: .sha256, signingKeyLength: 32, encryptingKeyLength: 32, nonceLength: 32,
                                asymmetricSignature: .pssSHA256, asymmetricEncryption: .oaepSHA256)
        }
    }

    /// The channel crypto for this policy and mode. `.none` policy or mode gives `OPCUASecurityNone`; any other
    /// combination needs the client's certificate + key and the server's certificate, and a policy/mode pair that
    /// is not (None, Sign/SignAndEncrypt) or (secure policy, None).
    public func makeChannelSecurity(mode: OPCUASecurityMode, localCertificate: OPCUACertificate?,
                                    localPrivateKey: OPCUAPrivateKey?, remoteCertificate: OPCUACertificate?) throws -> any OPCUAChannelSecurity {
        switch (self, mode) {
        case (.none, .none):
            return OPCUASecurityNone()
        case (.none, _):
            throw OPCUASecurityError("security mode \(mode) needs a security policy other than None")
        case (_, .none):
            throw OPCUASecurityError("security policy \(shortName) needs mode Sign or SignAndEncrypt, not None")
        default:
            guard let localCertificate, let localPrivateKey else {
                throw OPCUASecurityError("security policy \(shortName) needs a client certificate and private key")
            }
            guard let remoteCertificate else {
                throw OPCUASecurityError("security policy \(shortName) needs the server certificate (from GetEndpoints)")
            }
            return try OPCUASecureChannelSecurity(policy: self, mode: mode, localCertificate: localCertificate,
                                                  localPrivateKey: localPrivateKey, remoteCertificate: remoteCertificate)
        }
    }
}

/// What one policy uses; Part 7 lists these per policy.
struct OPCUAAlgorithmSuite: Sendable {
    var hash: OPCUAHashAlgorithm
    var signingKeyLength: Int
    var encryptingKeyLength: Int
    /// AES block size: the IV length and the symmetric encryption block.
    var symmetricBlockSize: Int { 16 }
    var nonceLength: Int
    var asymmetricSignature: OPCUAAsymmetricSignatureAlgorithm
    var asymmetricEncryption: OPCUAAsymmetricEncryptionAlgorithm
}
