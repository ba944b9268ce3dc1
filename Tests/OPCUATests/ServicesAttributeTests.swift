import NIOCore
import OPCUA
import Testing

/// Browse, TranslateBrowsePaths, Read, Write and Call against asyncua's encoding of the same messages.
@Suite struct ServicesAttributeTests {
    typealias F = OPCUAFixtures

    private func header(_ handle: UInt32) -> RequestHeader {
        RequestHeader(authenticationToken: .numeric(1001), timestamp: CodecTest.fixtureTime, requestHandle: handle,
                      timeoutHint: 10000)
    }

    @Test func browse() throws {
        let request = try CodecTest.decodeRequest(BrowseRequest.self, F.browseRequest)
        // The defaults of BrowseDescription are what a client usually wants: hierarchical, subtypes, all fields.
        // asyncua stamps the view with the time the fixture was generated; only that field is free.
        #expect(request == BrowseRequest(requestHeader: header(10),
                                         view: ViewDescription(timestamp: request.view.timestamp),
                                         requestedMaxReferencesPerNode: 100,
                                         nodesToBrowse: [BrowseDescription(nodeId: WellKnownNodeId.objectsFolder)]))

        let response = try CodecTest.decodeResponse(BrowseResponse.self, F.browseResponse)
        let result = try #require(response.results.first)
        #expect(result.statusCode == .good)
        #expect(result.continuationPoint == [5, 6])
        #expect(result.references.count == 2)
        let server = result.references[0]
        #expect(server.referenceTypeId == WellKnownNodeId.organizes)
        #expect(server.isForward)
        #expect(server.nodeId == ExpandedNodeId(nodeId: WellKnownNodeId.server))
        #expect(server.browseName == QualifiedName(name: "Server"))
        #expect(server.nodeClass == .object)
        let temperature = result.references[1]
        #expect(temperature.nodeId.nodeId == .string("Device1.Temp", namespace: 2))
        #expect(temperature.displayName == LocalizedText(locale: "en", text: "Temp"))
        #expect(temperature.nodeClass == .variable)
        #expect(temperature.typeDefinition.nodeId == WellKnownNodeId.baseDataVariableType)
    }

    @Test func browseNext() throws {
        let request = try CodecTest.decodeRequest(BrowseNextRequest.self, F.browseNextRequest)
        #expect(request.continuationPoints == [[5, 6]])
        #expect(!request.releaseContinuationPoints)
    }

    @Test func translateBrowsePaths() throws {
        let request = try CodecTest.decodeRequest(TranslateBrowsePathsToNodeIdsRequest.self, F.translateRequest)
        #expect(request == TranslateBrowsePathsToNodeIdsRequest(requestHeader: header(12), browsePaths: [
            BrowsePath(startingNode: WellKnownNodeId.objectsFolder, relativePath: RelativePath(elements: [
                RelativePathElement(targetName: QualifiedName(namespace: 2, name: "Device1")),
                RelativePathElement(targetName: QualifiedName(namespace: 2, name: "Temp")),
            ])),
        ]))
        let response = try CodecTest.decodeResponse(TranslateBrowsePathsToNodeIdsResponse.self, F.translateResponse)
        #expect(response.results == [BrowsePathResult(statusCode: .good, targets: [
            BrowsePathTarget(targetId: ExpandedNodeId(nodeId: .string("Device1.Temp", namespace: 2))),
        ])])
    }

    @Test func read() throws {
        let request = try CodecTest.decodeRequest(ReadRequest.self, F.readRequest)
        #expect(request == ReadRequest(requestHeader: header(13), timestampsToReturn: .both, nodesToRead: [
            ReadValueId(nodeId: WellKnownNodeId.serverServerStatusState),
            ReadValueId(nodeId: .string("Device1.Temp", namespace: 2), indexRange: "1:2"),
        ]))
        let response = try CodecTest.decodeResponse(ReadResponse.self, F.readResponse)
        #expect(response.results == [
            DataValue(value: .int32(0), status: .good, sourceTimestamp: CodecTest.fixtureTime,
                      serverTimestamp: CodecTest.fixtureTime),
            // asyncua always sends the (null) value field.
            DataValue(value: .null, status: .badNodeIdUnknown),
        ])
    }

    @Test func write() throws {
        let request = try CodecTest.decodeRequest(WriteRequest.self, F.writeRequest)
        #expect(request.nodesToWrite == [
            WriteValue(nodeId: .string("Device1.SetPoint", namespace: 2), value: DataValue(value: .double(42.5), status: .good)),
        ])
        let response = try CodecTest.decodeResponse(WriteResponse.self, F.writeResponse)
        #expect(response.results == [.badNotWritable])
    }

    @Test func call() throws {
        let request = try CodecTest.decodeRequest(CallRequest.self, F.callRequest)
        #expect(request.methodsToCall == [CallMethodRequest(
            objectId: .string("Device1", namespace: 2), methodId: .string("Device1.Reset", namespace: 2),
            inputArguments: [.uint32(3), .string("now")])])
        let response = try CodecTest.decodeResponse(CallResponse.self, F.callResponse)
        #expect(response.results == [CallMethodResult(
            statusCode: .good, inputArgumentResults: [.good, .good], outputArguments: [.boolean(true)])])
    }
}
