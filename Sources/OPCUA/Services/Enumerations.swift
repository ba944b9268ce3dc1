import NIOCore

/// An OPC UA enumeration: an Int32 on the wire. Values the type does not know are a decoding error
/// (naming the type and value) rather than being silently mapped.
public protocol OPCUAEnumeration: RawRepresentable<Int32>, OPCUABinaryEncodable, OPCUABinaryDecodable, Hashable {}

extension OPCUAEnumeration {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        let raw: Int32 = try reader.readInteger()
        guard let value = Self(rawValue: raw) else {
            throw OPCUADecodingError("\(raw) is not a valid \(Self.self)")
        }
        self = value
    }

    public func encode(to writer: inout OPCUABinaryWriter) { writer.writeInteger(rawValue) }
}

/// Security applied to a channel's messages (Part 4 §7.20).
public enum MessageSecurityMode: Int32, OPCUAEnumeration, Sendable {
    case invalid = 0
    case none = 1
    case sign = 2
    case signAndEncrypt = 3
}

/// Whether OpenSecureChannel creates a new token or renews the current one.
public enum SecurityTokenRequestType: Int32, OPCUAEnumeration, Sendable {
    case issue = 0
    case renew = 1
}

public enum ApplicationType: Int32, OPCUAEnumeration, Sendable {
    case server = 0
    case client = 1
    case clientAndServer = 2
    case discoveryServer = 3
}

/// The kind of user identity a UserTokenPolicy accepts.
public enum UserTokenType: Int32, OPCUAEnumeration, Sendable {
    case anonymous = 0
    case userName = 1
    case certificate = 2
    case issuedToken = 3
}

public enum BrowseDirection: Int32, OPCUAEnumeration, Sendable {
    case forward = 0
    case inverse = 1
    case both = 2
    case invalid = 3
}

/// The class of a node; raw values are single bits so they double as `BrowseDescription.nodeClassMask` bits.
public enum NodeClass: Int32, OPCUAEnumeration, Sendable {
    case unspecified = 0
    case object = 1
    case variable = 2
    case method = 4
    case objectType = 8
    case variableType = 16
    case referenceType = 32
    case dataType = 64
    case view = 128

    /// This class as a bit of a node class mask.
    public var maskBit: UInt32 { UInt32(rawValue) }
}

public enum TimestampsToReturn: Int32, OPCUAEnumeration, Sendable {
    case source = 0
    case server = 1
    case both = 2
    case neither = 3
    case invalid = 4
}

public enum MonitoringMode: Int32, OPCUAEnumeration, Sendable {
    case disabled = 0
    case sampling = 1
    case reporting = 2
}

/// What counts as a change for a DataChangeFilter.
public enum DataChangeTrigger: Int32, OPCUAEnumeration, Sendable {
    case status = 0
    case statusValue = 1
    case statusValueTimestamp = 2
}

/// `DataChangeFilter.deadbandType` values.
public enum DeadbandType {
    public static let none: UInt32 = 0
    public static let absolute: UInt32 = 1
    public static let percent: UInt32 = 2
}

/// Bits of `BrowseDescription.resultMask`: which ReferenceDescription fields the server fills in.
public struct BrowseResultMask: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let referenceTypeId = BrowseResultMask(rawValue: 0x01)
    public static let isForward = BrowseResultMask(rawValue: 0x02)
    public static let nodeClass = BrowseResultMask(rawValue: 0x04)
    public static let browseName = BrowseResultMask(rawValue: 0x08)
    public static let displayName = BrowseResultMask(rawValue: 0x10)
    public static let typeDefinition = BrowseResultMask(rawValue: 0x20)
    public static let all: BrowseResultMask = [
        .referenceTypeId, .isForward, .nodeClass, .browseName, .displayName, .typeDefinition,
    ]
}
