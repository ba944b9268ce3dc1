import NIOCore

/// MessageSecurityMode of OPC UA Part 4 §7.20 (0 = invalid is never produced here).
public enum OPCUASecurityMode: UInt32, Sendable, Hashable, CustomStringConvertible {
    case none = 1
    case sign = 2
    case signAndEncrypt = 3

    public var description: String {
        switch self {
        case .none: "None"
        case .sign: "Sign"
        case .signAndEncrypt: "SignAndEncrypt"
        }
    }
}

/// Why a secure-channel or session crypto step failed. The message says what was wrong, never key material.
public struct OPCUASecurityError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "OPC UA security: \(message)" }
}

/// The keys of one security token, derived from both nonces (Part 6 §6.7.5). The client signs/encrypts with the
/// `client*` keys and checks/decrypts what the server sends with the `server*` keys.
public struct OPCUASymmetricKeySet: Sendable, Equatable {
    public var clientSigningKey: [UInt8]
    public var clientEncryptingKey: [UInt8]
    public var clientInitializationVector: [UInt8]
    public var serverSigningKey: [UInt8]
    public var serverEncryptingKey: [UInt8]
    public var serverInitializationVector: [UInt8]

    public init(clientSigningKey: [UInt8], clientEncryptingKey: [UInt8], clientInitializationVector: [UInt8],
                serverSigningKey: [UInt8], serverEncryptingKey: [UInt8], serverInitializationVector: [UInt8]) {
        self.clientSigningKey = clientSigningKey
        self.clientEncryptingKey = clientEncryptingKey
        self.clientInitializationVector = clientInitializationVector
        self.serverSigningKey = serverSigningKey
        self.serverEncryptingKey = serverEncryptingKey
        self.serverInitializationVector = serverInitializationVector
    }

    /// The key set of SecurityPolicy None: nothing to sign or encrypt with.
    public static let empty = OPCUASymmetricKeySet(
        clientSigningKey: [], clientEncryptingKey: [], clientInitializationVector: [],
        serverSigningKey: [], serverEncryptingKey: [], serverInitializationVector: [])
}

/// One secure channel's crypto, created per channel by the client from policy + mode + certificates
/// (`OPCUASecurityNone()` or `OPCUASecurityPolicy.makeChannelSecurity(...)`).
///
/// Chunk conventions shared by all the `seal*`/`open*`/`max*BodySize` calls:
/// - `chunk` holds one whole chunk from its readerIndex on: the 12-byte message header ("MSG"/"OPN"/"CLO", chunk
///   type, size, secure channel id), the security header (asymmetric header for OPN, token id for MSG/CLO), then at
///   offset `securedFrom` the 8-byte sequence header and the body. Offsets are relative to the readerIndex.
/// - `seal*` takes the plaintext chunk (size field may be anything), adds padding (only when encrypting), fixes the
///   size field to the final on-the-wire size, appends the signature and encrypts from `securedFrom` on.
/// - `open*` takes the chunk as received and leaves the plaintext: header (untouched, so its size field is still
///   the wire size), security header, sequence header and body; padding and signature are removed.
/// - `max*BodySize` is how many body bytes (after the 8-byte sequence header) fit in a chunk of `chunkSize` wire
///   bytes whose security header ends at `securedFrom`.
public protocol OPCUAChannelSecurity: Sendable {
    /// "http://opcfoundation.org/UA/SecurityPolicy#None" etc.
    var policyURI: String { get }
    var mode: OPCUASecurityMode { get }
    /// SenderCertificate of the asymmetric security header (nil for None).
    var localCertificateDER: [UInt8]? { get }
    /// ReceiverCertificateThumbprint of the asymmetric security header: SHA-1 of the server certificate DER
    /// (nil for None).
    var remoteCertificateThumbprint: [UInt8]? { get }
    /// The client nonce for OpenSecureChannel (empty for None).
    func makeNonce() -> [UInt8]

    func maxAsymmetricBodySize(chunkSize: Int, securedFrom: Int) -> Int
    func sealAsymmetric(_ chunk: inout ByteBuffer, securedFrom: Int) throws
    func openAsymmetric(_ chunk: inout ByteBuffer, securedFrom: Int) throws

    func deriveSymmetricKeys(clientNonce: [UInt8], serverNonce: [UInt8]) -> OPCUASymmetricKeySet
    func maxSymmetricBodySize(chunkSize: Int, securedFrom: Int) -> Int
    func sealSymmetric(_ chunk: inout ByteBuffer, securedFrom: Int, keys: OPCUASymmetricKeySet) throws
    func openSymmetric(_ chunk: inout ByteBuffer, securedFrom: Int, keys: OPCUASymmetricKeySet) throws

    /// CreateSession → ActivateSession: the client signature over serverCertificate || serverNonce
    /// ((nil, nil) for None).
    func clientSignature(serverCertificate: [UInt8], serverNonce: [UInt8]) throws -> (algorithm: String?, signature: [UInt8]?)
    /// CreateSessionResponse: checks the server signature over clientCertificate || clientNonce (no-op for None).
    func verifyServerSignature(clientCertificate: [UInt8], clientNonce: [UInt8], algorithm: String?, signature: [UInt8]?) throws
}

/// Offsets and the size field shared by every policy.
enum OPCUAChunkLayout {
    /// "MSG"/"OPN"/"CLO" + chunk type byte, then the UInt32 little-endian message size.
    static let sizeFieldOffset = 4
    static let messageHeaderSize = 12
    static let sequenceHeaderSize = 8

    static func setSize(_ chunk: inout ByteBuffer, to size: Int) {
        chunk.setInteger(UInt32(size), at: chunk.readerIndex + sizeFieldOffset, endianness: .little)
    }

    static func check(_ chunk: ByteBuffer, securedFrom: Int) throws(OPCUASecurityError) {
        guard securedFrom >= messageHeaderSize, chunk.readableBytes >= securedFrom + sequenceHeaderSize else {
            throw OPCUASecurityError("chunk of \(chunk.readableBytes) bytes is too short for a security header ending at \(securedFrom)")
        }
    }
}
