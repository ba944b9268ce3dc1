import OPCUA
import Synchronization

/// What the connector's tasks share: the client of the current run and the current mapping.
/// The scan publishes a new snapshot; the data path and downlink calls read whichever is current.
final class OPCUAConnectorRuntime: Sendable {
    private let current = Mutex<OPCUAMappingSnapshot>(OPCUAMappingSnapshot())
    private let activeClient = Mutex<OPCUAClient?>(nil)

    var snapshot: OPCUAMappingSnapshot { current.withLock { $0 } }

    func publish(_ snapshot: OPCUAMappingSnapshot) {
        current.withLock { $0 = snapshot }
    }

    var client: OPCUAClient? { activeClient.withLock { $0 } }

    func setClient(_ client: OPCUAClient?) {
        activeClient.withLock { $0 = client }
    }
}

/// Client handles of the monitored nodes. A node keeps its handle for the connector's life, so
/// data changes in flight while the mapping changes still find their node.
final class OPCUAMonitoredNodes: Sendable {
    private struct State {
        var handleByNode: [NodeId: UInt32] = [:]
        var nodeByHandle: [UInt32: NodeId] = [:]
        /// Handles the server currently monitors (committed after a successful call).
        var monitored: Set<UInt32> = []
        var nextHandle: UInt32 = 1
    }

    private let state = Mutex(State())

    func node(forHandle handle: UInt32) -> NodeId? {
        state.withLock { $0.nodeByHandle[handle] }
    }

    /// Items to add (with their handles) and handles to remove so that exactly `nodes` are monitored.
    func plan(for nodes: [NodeId]) -> (add: [OPCUAMonitoredItem], remove: [UInt32]) {
        state.withLock { state in
            var add: [OPCUAMonitoredItem] = []
            var wanted = Set<UInt32>()
            for node in nodes {
                let handle: UInt32
                if let known = state.handleByNode[node] {
                    handle = known
                } else {
                    handle = state.nextHandle
                    state.nextHandle += 1
                    state.handleByNode[node] = handle
                    state.nodeByHandle[handle] = node
                }
                wanted.insert(handle)
                if !state.monitored.contains(handle) { add.append(OPCUAMonitoredItem(nodeId: node, clientHandle: handle)) }
            }
            return (add, Array(state.monitored.subtracting(wanted)).sorted())
        }
    }

    func committed(added: [UInt32], removed: [UInt32]) {
        state.withLock { state in
            state.monitored.formUnion(added)
            state.monitored.subtract(removed)
        }
    }

    /// After the subscription is re-created from scratch: nothing is monitored any more.
    func reset() {
        state.withLock { $0.monitored.removeAll() }
    }
}
