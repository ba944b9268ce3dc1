import NIOCore
import OPCUA
import Testing

/// Secure channel, discovery and session messages against asyncua's encoding of the same messages.
@Suite struct ServicesSessionTests {
    typealias F = OPCUAFixtures

    private func header(_ handle: UInt32) -> RequestHeader {
        RequestHeader(authenticationToken: .numeric(1001), timestamp: CodecTest.fixtureTime, requestHandle: handle,
                      timeoutHint: 10000)
    }

    @Test func openSecureChannel() throws {
        let request = try CodecTest.decodeRequest(OpenSecureChannelRequest.self, F.openSecureChannelRequest)
        #expect(request == OpenSecureChannelRequest(
            requestHeader: RequestHeader(timestamp: CodecTest.fixtureTime, requestHandle: 1, timeoutHint: 5000),
            requestType: .issue, securityMode: .none, clientNonce: [], requestedLifetime: 3_600_000))

        let response = try CodecTest.decodeResponse(OpenSecureChannelResponse.self, F.openSecureChannelResponse)
        #expect(response.responseHeader.requestHandle == 1)
        #expect(response.responseHeader.serviceResult == .good)
        #expect(response.securityToken == ChannelSecurityToken(
            channelId: 5, tokenId: 9, createdAt: CodecTest.fixtureTime, revisedLifetime: 600_000))
        #expect(response.serverNonce == [UInt8](repeating: 1, count: 32))
    }

    @Test func closeSecureChannel() throws {
        let request = try CodecTest.decodeRequest(CloseSecureChannelRequest.self, F.closeSecureChannelRequest)
        #expect(request.requestHeader == header(25))
    }

    @Test func getEndpoints() throws {
        let request = try CodecTest.decodeRequest(GetEndpointsRequest.self, F.getEndpointsRequest)
        #expect(request == GetEndpointsRequest(requestHeader: header(2), endpointURL: "opc.tcp://127.0.0.1:4840"))

        let response = try CodecTest.decodeResponse(GetEndpointsResponse.self, F.getEndpointsResponse)
        let endpoint = try #require(response.endpoints.first)
        #expect(response.endpoints.count == 1)
        #expect(endpoint.endpointURL == "opc.tcp://127.0.0.1:4840")
        #expect(endpoint.securityMode == .signAndEncrypt)
        #expect(endpoint.securityPolicyURI == "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256")
        #expect(endpoint.serverCertificate == [0x30, 0x82, 0x01, 0x00])
        #expect(endpoint.securityLevel == 3)
        #expect(endpoint.server.applicationURI == "urn:test:server")
        #expect(endpoint.server.applicationName.text == "Test Server")
        #expect(endpoint.server.applicationType == .server)
        #expect(endpoint.server.discoveryURLs == ["opc.tcp://127.0.0.1:4840"])
        #expect(endpoint.userIdentityTokens.map(\.tokenType) == [.anonymous, .userName])
        #expect(endpoint.userIdentityTokens.map(\.policyId) == ["anonymous", "username"])
        #expect(endpoint.userIdentityTokens[0].securityPolicyURI == nil)
    }

    @Test func createSession() throws {
        let request = try CodecTest.decodeRequest(CreateSessionRequest.self, F.createSessionRequest)
        #expect(request.clientDescription.applicationURI == "urn:gw")
        #expect(request.clientDescription.applicationType == .client)
        #expect(request.sessionName == "gw-session")
        #expect(request.clientNonce == [UInt8](repeating: 2, count: 32))
        #expect(request.clientCertificate == nil)
        #expect(request.requestedSessionTimeout == 3_600_000)

        let response = try CodecTest.decodeResponse(CreateSessionResponse.self, F.createSessionResponse)
        #expect(response.sessionId == .guid(Guid("09087e75-8e5e-499b-954f-f2a9603db28a")!, namespace: 1))
        #expect(response.authenticationToken == .opaque([0xAA, 0xBB], namespace: 0))
        #expect(response.serverNonce == [UInt8](repeating: 3, count: 32))
        #expect(response.serverEndpoints.count == 1)
        #expect(response.serverSignature == SignatureData(algorithm: nil, signature: nil))
        #expect(response.maxRequestMessageSize == 65536)
    }

    @Test func activateSessionWithUserName() throws {
        let request = try CodecTest.decodeRequest(ActivateSessionRequest.self, F.activateSessionRequest)
        #expect(request.localeIds == ["en"])
        #expect(request.userIdentityToken.holds(UserNameIdentityToken.self))
        let token = try #require(try request.userIdentityToken.decode(as: UserNameIdentityToken.self))
        #expect(token == UserNameIdentityToken(policyId: "username", userName: "user", password: Array("secret".utf8)))

        // Built from Swift values, the request is byte-identical to asyncua's.
        let built = ActivateSessionRequest(
            requestHeader: header(4), clientSignature: SignatureData(), localeIds: ["en"],
            userIdentityToken: ExtensionObject(token), userTokenSignature: SignatureData())
        var writer = OPCUABinaryWriter()
        OPCUAServiceMessage.encode(built, to: &writer)
        #expect(CodecTest.hex(writer.buffer) == F.activateSessionRequest)
    }

    @Test func activateSessionAnonymous() throws {
        let request = try CodecTest.decodeRequest(ActivateSessionRequest.self, F.activateSessionRequestAnonymous)
        #expect(try request.userIdentityToken.decode(as: AnonymousIdentityToken.self)?.policyId == "anonymous")
        let response = try CodecTest.decodeResponse(ActivateSessionResponse.self, F.activateSessionResponse)
        #expect(response.serverNonce == [UInt8](repeating: 4, count: 32))
        #expect(response.results.isEmpty)
    }

    @Test func closeSession() throws {
        let request = try CodecTest.decodeRequest(CloseSessionRequest.self, F.closeSessionRequest)
        #expect(request.deleteSubscriptions)
    }

    @Test func serviceFaultReplacesTheResponse() throws {
        var reader = OPCUABinaryReader(CodecTest.buffer(F.serviceFault))
        guard case .fault(let fault) = try OPCUAServiceMessage.decode(ReadResponse.self, from: &reader) else {
            Issue.record("expected a ServiceFault")
            return
        }
        #expect(fault.responseHeader.serviceResult == .badSessionIdInvalid)
        #expect(fault.responseHeader.requestHandle == 9)
        #expect(reader.remainingBytes == 0)
    }
}
