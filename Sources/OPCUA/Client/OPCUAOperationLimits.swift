/// The server's operation limits (Part 5 §6.3.11, Server_ServerCapabilities_OperationLimits): how
/// many operations one request may carry. A request over a limit fails as a whole with
/// BadTooManyOperations, so the client reads them after each session opens and splits its
/// requests to fit. 0 or an unreadable node means "no limit" (the client's own batch size holds).
public struct OPCUAOperationLimits: Sendable, Equatable {
    public var maxNodesPerRead: UInt32 = 0
    public var maxNodesPerWrite: UInt32 = 0
    public var maxNodesPerMethodCall: UInt32 = 0
    public var maxNodesPerBrowse: UInt32 = 0
    public var maxNodesPerTranslateBrowsePaths: UInt32 = 0
    public var maxMonitoredItemsPerCall: UInt32 = 0

    public init() {}

    /// The limit variables, in the order `init(values:)` reads them.
    static let nodes: [NodeId] = [11705, 11707, 11709, 11710, 11712, 11714].map { NodeId.numeric($0) }

    /// From the values read for `nodes` (a bad status or a non-integer value leaves that limit off).
    init(values: [DataValue]) {
        func limit(_ index: Int) -> UInt32 {
            guard index < values.count, !values[index].effectiveStatus.isBad else { return 0 }
            switch values[index].value {
            case .uint32(let value)?: return value
            case .uint16(let value)?: return UInt32(value)
            case .int32(let value)? where value > 0: return UInt32(value)
            default: return 0
            }
        }
        maxNodesPerRead = limit(0)
        maxNodesPerWrite = limit(1)
        maxNodesPerMethodCall = limit(2)
        maxNodesPerBrowse = limit(3)
        maxNodesPerTranslateBrowsePaths = limit(4)
        maxMonitoredItemsPerCall = limit(5)
    }

    /// Operations per request: the client's own batch size, lowered to the server's limit if it has one.
    static func batchSize(client: Int, server: UInt32) -> Int {
        let own = max(1, client)
        return server == 0 ? own : min(own, Int(server))
    }
}

extension OPCUAClient {
    /// Reads the limits on a freshly opened session; a server without them (or refusing the read)
    /// gets none, which changes nothing.
    func readOperationLimits(on current: Active) async -> OPCUAOperationLimits {
        func read(_ nodes: ArraySlice<NodeId>) async throws -> [DataValue] {
            let request = ReadRequest(maxAge: 0, timestampsToReturn: .neither,
                                      nodesToRead: nodes.map { ReadValueId(nodeId: $0, attributeId: AttributeId.value) })
            return try await call(request, on: current).results
        }
        do {
            // MaxNodesPerRead first and alone: reading all six at once is itself over a limit below 6.
            var values = try await read(OPCUAOperationLimits.nodes.prefix(1))
            let perRead = OPCUAOperationLimits(values: values).maxNodesPerRead
            let size = OPCUAOperationLimits.batchSize(client: OPCUAOperationLimits.nodes.count, server: perRead)
            let rest = OPCUAOperationLimits.nodes.dropFirst()
            for start in stride(from: rest.startIndex, to: rest.endIndex, by: size) {
                values += try await read(rest[start..<min(start + size, rest.endIndex)])
            }
            return OPCUAOperationLimits(values: values)
        } catch {
            logger.debug("OPC-UA operation limits not readable; using the client's batch size", metadata: ["error": "\(error)"])
            return OPCUAOperationLimits()
        }
    }

    /// `items` in requests of at most `limit` operations (see `OPCUAOperationLimits.batchSize`).
    func batches<T>(_ items: [T], serverLimit limit: UInt32) -> [[T]] {
        let size = OPCUAOperationLimits.batchSize(client: options.maxOperationsPerRequest, server: limit)
        return stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min($0 + size, items.count)]) }
    }
}
