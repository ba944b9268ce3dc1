/// X509IdentityToken proof of possession (Part 4 §5.6.3.1, §7.36.5): the user's private key signs
/// serverCertificate || serverNonce with the asymmetric signature algorithm of the user-token policy.
///
/// - Parameters:
///   - userTokenPolicyURI: the UserTokenPolicy's securityPolicyUri. Empty means "the channel's policy"
///     (Part 4 §7.37), so `channelPolicyURI` is used. When both are None there is still a signature to
///     make (the token is worthless without one): Basic256Sha256's RSA-SHA256, which servers accept
///     for certificate tokens on unsecured channels.
///   - serverCertificateDER / serverNonce: from the CreateSession response.
public func signUserCertificateChallenge(serverCertificateDER: [UInt8], serverNonce: [UInt8],
                                         userTokenPolicyURI: String, channelPolicyURI: String,
                                         userKey: OPCUAPrivateKey) throws -> SignatureData {
    let effectiveURI = userTokenPolicyURI.isEmpty ? channelPolicyURI : userTokenPolicyURI
    guard let policy = OPCUASecurityPolicy(name: effectiveURI) else {
        throw OPCUASecurityError("unsupported user token security policy '\(effectiveURI)'")
    }
    let algorithm = (policy.suite ?? OPCUASecurityPolicy.basic256Sha256.suite!).asymmetricSignature
    let signature = try algorithm.sign(serverCertificateDER + serverNonce, with: userKey)
    return SignatureData(algorithm: algorithm.uri, signature: signature)
}
