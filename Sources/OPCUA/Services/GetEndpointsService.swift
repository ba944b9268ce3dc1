import NIOCore

// GetEndpoints (Part 4 §5.4.4) and the descriptions of endpoints, applications and user token policies.

/// Asks a server which endpoints (security policy + mode + user token policies) it offers.
public struct GetEndpointsRequest: Hashable, Sendable, OPCUARequest {
    public typealias Response = GetEndpointsResponse
    public static let binaryEncodingId: UInt32 = 428

    public var requestHeader: RequestHeader
    public var endpointURL: String?
    public var localeIds: [String]
    public var profileURIs: [String]

    public init(
        requestHeader: RequestHeader = RequestHeader(),
        endpointURL: String? = nil,
        localeIds: [String] = [],
        profileURIs: [String] = []
    ) {
        self.requestHeader = requestHeader
        self.endpointURL = endpointURL
        self.localeIds = localeIds
        self.profileURIs = profileURIs
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        requestHeader = try reader.read()
        endpointURL = try reader.read()
        localeIds = try reader.read()
        profileURIs = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(requestHeader)
        writer.write(endpointURL)
        writer.write(localeIds)
        writer.write(profileURIs)
    }
}

/// The endpoints the server offers.
public struct GetEndpointsResponse: Hashable, Sendable, OPCUAResponse {
    public static let binaryEncodingId: UInt32 = 431

    public var responseHeader: ResponseHeader
    public var endpoints: [EndpointDescription]

    public init(responseHeader: ResponseHeader = ResponseHeader(), endpoints: [EndpointDescription] = []) {
        self.responseHeader = responseHeader
        self.endpoints = endpoints
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        responseHeader = try reader.read()
        endpoints = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(responseHeader)
        writer.write(endpoints)
    }
}

/// Who an application is (URI, name, kind).
public struct ApplicationDescription: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 310

    public var applicationURI: String?
    public var productURI: String?
    public var applicationName: LocalizedText
    public var applicationType: ApplicationType
    public var gatewayServerURI: String?
    public var discoveryProfileURI: String?
    public var discoveryURLs: [String]

    public init(
        applicationURI: String? = nil,
        productURI: String? = nil,
        applicationName: LocalizedText = LocalizedText(text: nil),
        applicationType: ApplicationType = .client,
        gatewayServerURI: String? = nil,
        discoveryProfileURI: String? = nil,
        discoveryURLs: [String] = []
    ) {
        self.applicationURI = applicationURI
        self.productURI = productURI
        self.applicationName = applicationName
        self.applicationType = applicationType
        self.gatewayServerURI = gatewayServerURI
        self.discoveryProfileURI = discoveryProfileURI
        self.discoveryURLs = discoveryURLs
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        applicationURI = try reader.read()
        productURI = try reader.read()
        applicationName = try reader.read()
        applicationType = try reader.read()
        gatewayServerURI = try reader.read()
        discoveryProfileURI = try reader.read()
        discoveryURLs = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(applicationURI)
        writer.write(productURI)
        writer.write(applicationName)
        writer.write(applicationType)
        writer.write(gatewayServerURI)
        writer.write(discoveryProfileURI)
        writer.write(discoveryURLs)
    }
}

/// One way to authenticate a user on an endpoint; `policyId` goes into the identity token.
/// A nil `securityPolicyURI` means the endpoint's own policy secures the token.
public struct UserTokenPolicy: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 306

    public var policyId: String?
    public var tokenType: UserTokenType
    public var issuedTokenType: String?
    public var issuerEndpointURL: String?
    public var securityPolicyURI: String?

    public init(
        policyId: String? = nil,
        tokenType: UserTokenType = .anonymous,
        issuedTokenType: String? = nil,
        issuerEndpointURL: String? = nil,
        securityPolicyURI: String? = nil
    ) {
        self.policyId = policyId
        self.tokenType = tokenType
        self.issuedTokenType = issuedTokenType
        self.issuerEndpointURL = issuerEndpointURL
        self.securityPolicyURI = securityPolicyURI
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        policyId = try reader.read()
        tokenType = try reader.read()
        issuedTokenType = try reader.read()
        issuerEndpointURL = try reader.read()
        securityPolicyURI = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(policyId)
        writer.write(tokenType)
        writer.write(issuedTokenType)
        writer.write(issuerEndpointURL)
        writer.write(securityPolicyURI)
    }
}

/// One endpoint: URL, security policy and mode, server certificate (DER) and accepted user tokens.
public struct EndpointDescription: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 314

    public var endpointURL: String?
    public var server: ApplicationDescription
    public var serverCertificate: [UInt8]?
    public var securityMode: MessageSecurityMode
    public var securityPolicyURI: String?
    public var userIdentityTokens: [UserTokenPolicy]
    public var transportProfileURI: String?
    public var securityLevel: UInt8

    public init(
        endpointURL: String? = nil,
        server: ApplicationDescription = ApplicationDescription(),
        serverCertificate: [UInt8]? = nil,
        securityMode: MessageSecurityMode = .none,
        securityPolicyURI: String? = nil,
        userIdentityTokens: [UserTokenPolicy] = [],
        transportProfileURI: String? = nil,
        securityLevel: UInt8 = 0
    ) {
        self.endpointURL = endpointURL
        self.server = server
        self.serverCertificate = serverCertificate
        self.securityMode = securityMode
        self.securityPolicyURI = securityPolicyURI
        self.userIdentityTokens = userIdentityTokens
        self.transportProfileURI = transportProfileURI
        self.securityLevel = securityLevel
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        endpointURL = try reader.read()
        server = try reader.read()
        serverCertificate = try reader.read()
        securityMode = try reader.read()
        securityPolicyURI = try reader.read()
        userIdentityTokens = try reader.read()
        transportProfileURI = try reader.read()
        securityLevel = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(endpointURL)
        writer.write(server)
        writer.write(serverCertificate)
        writer.write(securityMode)
        writer.write(securityPolicyURI)
        writer.write(userIdentityTokens)
        writer.write(transportProfileURI)
        writer.write(securityLevel)
    }
}
