import NIOCore

/// SecurityPolicy None: no padding, no signature, no encryption, empty nonces. Sealing only fixes the size field.
public struct OPCUASecurityNone: OPCUAChannelSecurity {
    public static let uri = "http://opcfoundation.org/UA/SecurityPolicy#None"

    public init() {}

    public var policyURI: String { Self.uri }
    public var mode: OPCUASecurityMode { .none }
    public var localCertificateDER: [UInt8]? { nil }
    public var remoteCertificateThumbprint: [UInt8]? { nil }
    public func makeNonce() -> [UInt8] { [] }

    public func maxAsymmetricBodySize(chunkSize: Int, securedFrom: Int) -> Int {
        chunkSize - securedFrom - OPCUAChunkLayout.sequenceHeaderSize
    }

    public func sealAsymmetric(_ chunk: inout ByteBuffer, securedFrom: Int) throws {
        try OPCUAChunkLayout.check(chunk, securedFrom: securedFrom)
        OPCUAChunkLayout.setSize(&chunk, to: chunk.readableBytes)
    }

    public func openAsymmetric(_ chunk: inout ByteBuffer, securedFrom: Int) throws {
        try OPCUAChunkLayout.check(chunk, securedFrom: securedFrom)
    }

    public func deriveSymmetricKeys(clientNonce: [UInt8], serverNonce: [UInt8]) -> OPCUASymmetricKeySet { .empty }

    public func maxSymmetricBodySize(chunkSize: Int, securedFrom: Int) -> Int {
        chunkSize - securedFrom - OPCUAChunkLayout.sequenceHeaderSize
    }

    public func sealSymmetric(_ chunk: inout ByteBuffer, securedFrom: Int, keys: OPCUASymmetricKeySet) throws {
        try OPCUAChunkLayout.check(chunk, securedFrom: securedFrom)
        OPCUAChunkLayout.setSize(&chunk, to: chunk.readableBytes)
    }

    public func openSymmetric(_ chunk: inout ByteBuffer, securedFrom: Int, keys: OPCUASymmetricKeySet) throws {
        try OPCUAChunkLayout.check(chunk, securedFrom: securedFrom)
    }

    public func clientSignature(serverCertificate: [UInt8], serverNonce: [UInt8]) throws -> (algorithm: String?, signature: [UInt8]?) {
        (nil, nil)
    }

    public func verifyServerSignature(clientCertificate: [UInt8], clientNonce: [UInt8], algorithm: String?, signature: [UInt8]?) throws {}
}
