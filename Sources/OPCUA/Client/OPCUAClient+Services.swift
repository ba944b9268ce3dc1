/// Convenience calls over `send`: batched Read/Write, Browse with continuation points,
/// TranslateBrowsePathsToNodeIds and Call. Per-operation results keep the server's status codes:
/// one bad node never fails the whole batch.
extension OPCUAClient {
    /// Reads attributes (batched by `maxOperationsPerRequest`, or the server's MaxNodesPerRead when
    /// lower); one DataValue per ReadValueId, in order.
    public func read(_ nodes: [ReadValueId], timestamps: TimestampsToReturn = .both, maxAge: Double = 0) async throws -> [DataValue] {
        var values: [DataValue] = []
        values.reserveCapacity(nodes.count)
        for batch in batches(nodes, serverLimit: operationLimits.maxNodesPerRead) {
            let response = try await send(ReadRequest(maxAge: maxAge, timestampsToReturn: timestamps, nodesToRead: batch))
            guard response.results.count == batch.count else {
                throw OPCUAClientError.unexpectedResponse("Read returned \(response.results.count) values for \(batch.count) nodes")
            }
            values.append(contentsOf: response.results)
        }
        return values
    }

    /// Reads the Value attribute of each node.
    public func readValues(_ nodeIds: [NodeId]) async throws -> [DataValue] {
        try await read(nodeIds.map { ReadValueId(nodeId: $0, attributeId: AttributeId.value) })
    }

    /// Writes (batched); one status per WriteValue, in order.
    public func write(_ values: [WriteValue]) async throws -> [StatusCode] {
        var statuses: [StatusCode] = []
        for batch in batches(values, serverLimit: operationLimits.maxNodesPerWrite) {
            let response = try await send(WriteRequest(nodesToWrite: batch))
            guard response.results.count == batch.count else {
                throw OPCUAClientError.unexpectedResponse("Write returned \(response.results.count) results for \(batch.count) values")
            }
            statuses.append(contentsOf: response.results)
        }
        return statuses
    }

    /// Writes one node's Value attribute.
    public func writeValue(_ value: Variant, to nodeId: NodeId) async throws -> StatusCode {
        try await write([WriteValue(nodeId: nodeId, attributeId: AttributeId.value, value: DataValue(value: value))])[0]
    }

    /// Browses each description and follows continuation points (BrowseNext) until every result is
    /// complete; `maxReferencesPerNode` 0 lets the server choose.
    public func browse(_ descriptions: [BrowseDescription], maxReferencesPerNode: UInt32 = 0) async throws -> [BrowseResult] {
        var results: [BrowseResult] = []
        for batch in batches(descriptions, serverLimit: operationLimits.maxNodesPerBrowse) {
            let response = try await send(BrowseRequest(requestedMaxReferencesPerNode: maxReferencesPerNode, nodesToBrowse: batch))
            guard response.results.count == batch.count else {
                throw OPCUAClientError.unexpectedResponse("Browse returned \(response.results.count) results for \(batch.count) nodes")
            }
            for var result in response.results {
                while let point = result.continuationPoint, !point.isEmpty, result.statusCode.isGood {
                    let next = try await send(BrowseNextRequest(releaseContinuationPoints: false, continuationPoints: [point]))
                    guard let more = next.results.first else {
                        throw OPCUAClientError.unexpectedResponse("BrowseNext returned no result")
                    }
                    result.references.append(contentsOf: more.references)
                    result.continuationPoint = more.continuationPoint
                    result.statusCode = more.statusCode
                }
                results.append(result)
            }
        }
        return results
    }

    /// The forward hierarchical references of one node (all of them, following continuation points).
    public func browse(_ nodeId: NodeId, maxReferencesPerNode: UInt32 = 0) async throws -> [ReferenceDescription] {
        let description = BrowseDescription(
            nodeId: nodeId, browseDirection: .forward, referenceTypeId: .numeric(33), includeSubtypes: true,
            nodeClassMask: 0, resultMask: 0x3F)
        let result = try await browse([description], maxReferencesPerNode: maxReferencesPerNode)[0]
        guard result.statusCode.isGood else { throw OPCUAClientError.serviceFailed(service: "Browse", status: result.statusCode) }
        return result.references
    }

    /// TranslateBrowsePathsToNodeIds, one result per path, in order.
    public func translate(_ paths: [BrowsePath]) async throws -> [BrowsePathResult] {
        var results: [BrowsePathResult] = []
        for batch in batches(paths, serverLimit: operationLimits.maxNodesPerTranslateBrowsePaths) {
            let response = try await send(TranslateBrowsePathsToNodeIdsRequest(browsePaths: batch))
            guard response.results.count == batch.count else {
                throw OPCUAClientError.unexpectedResponse("TranslateBrowsePaths returned \(response.results.count) results for \(batch.count) paths")
            }
            results.append(contentsOf: response.results)
        }
        return results
    }

    /// Resolves a path of browse names (following hierarchical references) from `start`.
    public func translate(from start: NodeId, path: [QualifiedName]) async throws -> NodeId? {
        let elements = path.map {
            RelativePathElement(referenceTypeId: .numeric(33), isInverse: false, includeSubtypes: true, targetName: $0)
        }
        let result = try await translate([BrowsePath(startingNode: start, relativePath: RelativePath(elements: elements))])[0]
        guard result.statusCode.isGood, let target = result.targets.first else { return nil }
        return target.targetId.nodeId
    }

    /// Calls methods; one result per request, in order.
    public func call(_ methods: [CallMethodRequest]) async throws -> [CallMethodResult] {
        var results: [CallMethodResult] = []
        for batch in batches(methods, serverLimit: operationLimits.maxNodesPerMethodCall) {
            let response = try await send(CallRequest(methodsToCall: batch))
            guard response.results.count == batch.count else {
                throw OPCUAClientError.unexpectedResponse("Call returned \(response.results.count) results for \(batch.count) methods")
            }
            results.append(contentsOf: response.results)
        }
        return results
    }

    /// Calls one method and returns its output arguments, or throws its bad status.
    public func call(object: NodeId, method: NodeId, arguments: [Variant]) async throws -> [Variant] {
        let result = try await call([CallMethodRequest(objectId: object, methodId: method, inputArguments: arguments)])[0]
        guard !result.statusCode.isBad else { throw OPCUAClientError.serviceFailed(service: "Call", status: result.statusCode) }
        return result.outputArguments
    }
}
