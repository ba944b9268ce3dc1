import NIOCore

// User identity tokens for ActivateSession (Part 4 §7.36), sent as ExtensionObject bodies:
// `ExtensionObject(UserNameIdentityToken(...))`.

/// No user: the `policyId` of the endpoint's anonymous UserTokenPolicy.
public struct AnonymousIdentityToken: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 321

    public var policyId: String?

    public init(policyId: String? = nil) {
        self.policyId = policyId
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        policyId = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(policyId)
    }
}

/// User name and password; the password is encrypted per the token policy (`encryptionAlgorithm` names how,
/// nil when sent in clear).
public struct UserNameIdentityToken: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 324

    public var policyId: String?
    public var userName: String?
    public var password: [UInt8]?
    public var encryptionAlgorithm: String?

    public init(
        policyId: String? = nil,
        userName: String? = nil,
        password: [UInt8]? = nil,
        encryptionAlgorithm: String? = nil
    ) {
        self.policyId = policyId
        self.userName = userName
        self.password = password
        self.encryptionAlgorithm = encryptionAlgorithm
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        policyId = try reader.read()
        userName = try reader.read()
        password = try reader.read()
        encryptionAlgorithm = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(policyId)
        writer.write(userName)
        writer.write(password)
        writer.write(encryptionAlgorithm)
    }
}

/// A user certificate (DER); the matching `userTokenSignature` proves the key.
public struct X509IdentityToken: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 327

    public var policyId: String?
    public var certificateData: [UInt8]?

    public init(policyId: String? = nil, certificateData: [UInt8]? = nil) {
        self.policyId = policyId
        self.certificateData = certificateData
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        policyId = try reader.read()
        certificateData = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(policyId)
        writer.write(certificateData)
    }
}
