import Crypto
import Foundation

/// The hash behind a policy's HMAC signatures and P_SHA key derivation.
public enum OPCUAHashAlgorithm: Sendable, Hashable {
    case sha1
    case sha256

    /// HMAC output length in bytes (the symmetric signature size).
    public var digestSize: Int {
        switch self {
        case .sha1: Insecure.SHA1.byteCount
        case .sha256: SHA256.byteCount
        }
    }

    public func hmac(key: [UInt8], data: some DataProtocol) -> [UInt8] {
        let symmetricKey = SymmetricKey(data: key)
        switch self {
        case .sha1: return Array(HMAC<Insecure.SHA1>.authenticationCode(for: data, using: symmetricKey))
        case .sha256: return Array(HMAC<SHA256>.authenticationCode(for: data, using: symmetricKey))
        }
    }

    /// Constant-time HMAC check: a forged signature must not leak how many leading bytes matched.
    func isValidHMAC(_ signature: some ContiguousBytes, key: [UInt8], data: some DataProtocol) -> Bool {
        let symmetricKey = SymmetricKey(data: key)
        switch self {
        case .sha1: return HMAC<Insecure.SHA1>.isValidAuthenticationCode(signature, authenticating: data, using: symmetricKey)
        case .sha256: return HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: data, using: symmetricKey)
        }
    }
}

/// P_SHA1 / P_SHA256 of Part 6 §6.7.5 (the TLS 1.0 P_hash of RFC 2246 §5):
/// A(0) = seed, A(i) = HMAC(secret, A(i-1)), output = HMAC(secret, A(1) + seed) || HMAC(secret, A(2) + seed) || ...
public enum OPCUAKeyDerivation {
    public static func pSHA(_ hash: OPCUAHashAlgorithm, secret: [UInt8], seed: [UInt8], length: Int) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(length + hash.digestSize)
        var a = seed
        while output.count < length {
            a = hash.hmac(key: secret, data: a)
            output += hash.hmac(key: secret, data: a + seed)
        }
        return Array(output.prefix(length))
    }

    /// Derives one side's (signing key, encrypting key, IV) as Part 6 §6.7.5 slices them out of one P_SHA stream.
    static func deriveKeys(_ hash: OPCUAHashAlgorithm, secret: [UInt8], seed: [UInt8], signingKeyLength: Int,
                           encryptingKeyLength: Int, ivLength: Int) -> (signing: [UInt8], encrypting: [UInt8], iv: [UInt8]) {
        let stream = pSHA(hash, secret: secret, seed: seed, length: signingKeyLength + encryptingKeyLength + ivLength)
        let signing = Array(stream[0..<signingKeyLength])
        let encrypting = Array(stream[signingKeyLength..<(signingKeyLength + encryptingKeyLength)])
        let iv = Array(stream[(signingKeyLength + encryptingKeyLength)...])
        return (signing, encrypting, iv)
    }
}
