import Logging
import NIOCore

/// An activated session on a connection.
struct OPCUASessionInfo: Sendable {
    var sessionId: NodeId
    var authenticationToken: NodeId
    var revisedTimeout: Double
    var endpoint: EndpointDescription
}

/// Opens a connection and an activated session from the client options: GetEndpoints (on an
/// unsecured channel first when a security policy needs the server certificate), pick the endpoint
/// and user token policy, CreateSession, ActivateSession.
struct OPCUASessionOpener {
    let options: OPCUAClientOptions
    let group: any EventLoopGroup
    let logger: Logger
    var nextHandle: @Sendable () -> UInt32

    func open() async throws -> (OPCUAConnection, OPCUASessionInfo) {
        let plain = try await OPCUAConnection.connect(to: options.endpointURL, security: OPCUASecurityNone(),
                                                      options: options.connection, eventLoopGroup: group, logger: logger)
        let endpoints: [EndpointDescription]
        do {
            endpoints = try await getEndpoints(on: plain)
        } catch {
            await plain.close()
            throw error
        }
        let endpoint = try chooseEndpoint(endpoints)
        let connection: OPCUAConnection
        let security: any OPCUAChannelSecurity
        if options.securityPolicy == .none {
            connection = plain
            security = OPCUASecurityNone()
        } else {
            await plain.close()
            let serverCertificate = try endpoint.serverCertificate.map { try OPCUACertificate(der: $0) }
            if let validator = options.serverCertificateValidator {
                guard let serverCertificate else {
                    throw OPCUASecurityError("the server offers no certificate to check against the trusted ones")
                }
                try validator.validate(serverCertificate)
            }
            security = try options.securityPolicy.makeChannelSecurity(
                mode: options.securityMode, localCertificate: options.certificate, localPrivateKey: options.privateKey,
                remoteCertificate: serverCertificate)
            connection = try await OPCUAConnection.connect(to: options.endpointURL, security: security,
                                                           options: options.connection, eventLoopGroup: group, logger: logger)
        }
        do {
            let session = try await createAndActivate(on: connection, endpoint: endpoint, security: security)
            return (connection, session)
        } catch {
            await connection.close()
            throw error
        }
    }

    func getEndpoints(on connection: OPCUAConnection) async throws -> [EndpointDescription] {
        try await OPCUAServiceCall.call(
            GetEndpointsRequest(endpointURL: options.endpointURL), on: connection, authenticationToken: .null,
            handle: nextHandle(), timeout: options.requestTimeout
        ).endpoints
    }

    func chooseEndpoint(_ endpoints: [EndpointDescription]) throws -> EndpointDescription {
        let mode = MessageSecurityMode(rawValue: Int32(options.securityMode.rawValue)) ?? .none
        let matching = endpoints.filter {
            $0.securityPolicyURI == options.securityPolicy.uri && $0.securityMode == mode
                && ($0.transportProfileURI ?? "").hasSuffix("uatcp-uasc-uabinary")
        }
        guard let endpoint = matching.max(by: { $0.securityLevel < $1.securityLevel }) else {
            throw OPCUAClientError.noMatchingEndpoint(
                policy: options.securityPolicy.shortName, mode: options.securityMode.description,
                offered: endpoints.map { "\(($0.securityPolicyURI ?? "").split(separator: "#").last ?? "?")/\($0.securityMode)" })
        }
        return endpoint
    }

    private func createAndActivate(on connection: OPCUAConnection, endpoint: EndpointDescription,
                                   security: any OPCUAChannelSecurity) async throws -> OPCUASessionInfo {
        let clientNonce = (0..<32).map { _ in UInt8.random(in: 0...255) }
        let sessionTimeoutMs = Double(options.sessionTimeout.components.seconds) * 1000
        let create = CreateSessionRequest(
            clientDescription: ApplicationDescription(
                applicationURI: options.applicationURI, productURI: options.productURI,
                applicationName: LocalizedText(locale: nil, text: options.applicationName), applicationType: .client),
            serverURI: endpoint.server.applicationURI,
            endpointURL: options.endpointURL,
            sessionName: options.sessionName,
            clientNonce: clientNonce,
            clientCertificate: options.securityPolicy == .none ? nil : options.certificate?.der,
            requestedSessionTimeout: sessionTimeoutMs,
            maxResponseMessageSize: options.connection.maxMessageSize)
        let created = try await OPCUAServiceCall.call(create, on: connection, authenticationToken: .null,
                                                      handle: nextHandle(), timeout: options.requestTimeout)
        if options.securityPolicy != .none {
            try security.verifyServerSignature(
                clientCertificate: options.certificate?.der ?? [], clientNonce: clientNonce,
                algorithm: created.serverSignature.algorithm, signature: created.serverSignature.signature)
        }
        let serverNonce = created.serverNonce ?? []
        let serverCertificate = created.serverCertificate ?? endpoint.serverCertificate ?? []
        let signature = try security.clientSignature(serverCertificate: serverCertificate, serverNonce: serverNonce)
        let (identity, identitySignature) = try identityToken(
            endpoint: endpoint, serverNonce: serverNonce, serverCertificate: serverCertificate)
        let activate = ActivateSessionRequest(
            clientSignature: SignatureData(algorithm: signature.algorithm, signature: signature.signature),
            localeIds: ["en"],
            userIdentityToken: identity,
            userTokenSignature: identitySignature)
        _ = try await OPCUAServiceCall.call(activate, on: connection, authenticationToken: created.authenticationToken,
                                            handle: nextHandle(), timeout: options.requestTimeout)
        return OPCUASessionInfo(sessionId: created.sessionId, authenticationToken: created.authenticationToken,
                                revisedTimeout: created.revisedSessionTimeout, endpoint: endpoint)
    }

    /// The identity token for the configured identity, with the policy id the endpoint names for it,
    /// and the user token signature (only certificate tokens have one).
    private func identityToken(endpoint: EndpointDescription, serverNonce: [UInt8],
                               serverCertificate: [UInt8]) throws -> (ExtensionObject, SignatureData) {
        switch options.identity {
        case .anonymous:
            guard let policy = endpoint.userIdentityTokens.first(where: { $0.tokenType == .anonymous }) else {
                throw OPCUAClientError.identityNotSupported("anonymous")
            }
            return (ExtensionObject(AnonymousIdentityToken(policyId: policy.policyId)), SignatureData())
        case let .certificate(certificate, privateKey):
            guard let policy = endpoint.userIdentityTokens.first(where: { $0.tokenType == .certificate }) else {
                throw OPCUAClientError.identityNotSupported("X.509 certificate")
            }
            let signature = try signUserCertificateChallenge(
                serverCertificateDER: serverCertificate, serverNonce: serverNonce,
                userTokenPolicyURI: policy.securityPolicyURI ?? "", channelPolicyURI: options.securityPolicy.uri,
                userKey: privateKey)
            return (ExtensionObject(X509IdentityToken(policyId: policy.policyId, certificateData: certificate.der)), signature)
        case let .userName(user, password):
            let policies = endpoint.userIdentityTokens.filter { $0.tokenType == .userName }
            // Prefer a policy that encrypts the password; fall back to one that sends it as is.
            guard let policy = policies.first(where: { ($0.securityPolicyURI ?? "").isEmpty == false
                && $0.securityPolicyURI != OPCUASecurityPolicy.none.uri }) ?? policies.first
            else { throw OPCUAClientError.identityNotSupported("user name") }
            let (cipher, algorithm) = try encryptUserPassword(
                Array(password.utf8), serverNonce: serverNonce, userTokenPolicyURI: policy.securityPolicyURI ?? "",
                serverCertificateDER: serverCertificate, channelPolicyURI: options.securityPolicy.uri)
            return (ExtensionObject(UserNameIdentityToken(policyId: policy.policyId, userName: user, password: cipher,
                                                          encryptionAlgorithm: algorithm)), SignatureData())
        }
    }
}
