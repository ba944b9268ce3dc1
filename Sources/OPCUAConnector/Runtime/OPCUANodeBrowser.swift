import Logging
import OPCUA

/// Finds nodes by browse path during one scan. Children of a node are browsed once per scan and
/// remembered, so many devices and datapoints under the same folders cost one Browse each.
/// Used by one task at a time (the scan, or one downlink call), hence a plain class.
final class OPCUANodeBrowser {
    private let client: OPCUAClient
    private let logger: Logger
    private var children: [NodeId: [ReferenceDescription]] = [:]

    init(client: OPCUAClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Every node reached from `start` by following `segments` (each matching a child's
    /// BrowseName); several when segments are patterns, none when a segment matches nothing.
    func resolve(_ segments: [OPCUAPathSegment], from start: NodeId) async throws -> [NodeId] {
        var current = [start]
        for segment in segments {
            var next: [NodeId] = []
            var seen = Set<NodeId>()
            for node in current {
                for child in try await childReferences(of: node) {
                    let name = child.browseName
                    guard child.nodeId.serverIndex == 0,
                          segment.matches(namespace: name.namespace, name: name.name ?? "") else { continue }
                    if seen.insert(child.nodeId.nodeId).inserted { next.append(child.nodeId.nodeId) }
                }
            }
            if next.isEmpty { return [] }
            current = next
        }
        return current
    }

    /// The nodes a reference names, relative ones found from `deviceNode`.
    func resolve(_ reference: OPCUANodeReference, deviceNode: NodeId) async throws -> [NodeId] {
        switch reference {
        case .nodeId(let id): return [id]
        case .absolute(let path): return try await resolve(path.belowRoot, from: WellKnownNodeId.rootFolder)
        case .relative(let path): return try await resolve(path.segments, from: deviceNode)
        }
    }

    /// The forward hierarchical references of `node`; none when the server refuses to browse it
    /// (an unknown node is "not found", not a failed scan). Connection problems are thrown.
    func childReferences(of node: NodeId) async throws -> [ReferenceDescription] {
        if let known = children[node] { return known }
        let found: [ReferenceDescription]
        do {
            found = try await client.browse(node)
        } catch OPCUAClientError.serviceFailed(let service, let status) where service == "Browse" {
            logger.debug("OPC-UA node cannot be browsed", metadata: ["node": "\(node)", "status": "\(status)"])
            found = []
        }
        children[node] = found
        return found
    }

    /// Forgets browsed children (the next scan sees the server's current address space).
    func forget() { children.removeAll() }
}
