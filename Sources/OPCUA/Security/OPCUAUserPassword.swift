/// UserNameIdentityToken password (Part 4 §7.36.3). Under a secure user-token policy the token carries
/// RSA-encrypt(serverKey, UInt32 length || UTF-8 password || serverNonce) and the policy's encryption URI; under
/// None the password goes as plain UTF-8 with a null algorithm (only sensible inside a SignAndEncrypt channel).
///
/// - Parameters:
///   - userTokenPolicyURI: the UserTokenPolicy's securityPolicyUri. An empty one means "the channel's policy"
///     (Part 4 §7.37): pass `channelPolicyURI` so it is resolved here.
///   - serverCertificateDER: the server certificate from CreateSession/GetEndpoints (unused for None).
public func encryptUserPassword(_ password: [UInt8], serverNonce: [UInt8], userTokenPolicyURI: String,
                                serverCertificateDER: [UInt8], channelPolicyURI: String? = nil) throws -> (cipher: [UInt8], algorithm: String?) {
    let effectiveURI = userTokenPolicyURI.isEmpty ? (channelPolicyURI ?? "") : userTokenPolicyURI
    guard let policy = OPCUASecurityPolicy(name: effectiveURI) else {
        throw OPCUASecurityError("unsupported user token security policy '\(effectiveURI)'")
    }
    guard let suite = policy.suite else {
        return (password, nil)
    }
    let certificate = try OPCUACertificate(der: serverCertificateDER)
    let length = UInt32(password.count + serverNonce.count)
    var plain: [UInt8] = withUnsafeBytes(of: length.littleEndian) { Array($0) }
    plain += password
    plain += serverNonce
    let cipher = try suite.asymmetricEncryption.encrypt(plain, for: certificate)
    return (cipher, suite.asymmetricEncryption.uri)
}
