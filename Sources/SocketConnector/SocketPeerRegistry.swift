import NIOCore
import Synchronization

/// Where the connector can reach its devices: the open TCP connections by peer, the UDP
/// server's writer, and the last peer each device entry took a message from (the reference's
/// `device['address']`, which downlink writes go to).
final class SocketPeerRegistry: Sendable {
    typealias TCPWriter = NIOAsyncChannelOutboundWriter<ByteBuffer>
    typealias UDPWriter = NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>

    private struct State {
        var connections: [String: (id: UInt64, writer: TCPWriter)] = [:]
        var nextConnectionID: UInt64 = 0
        var udpWriter: UDPWriter?
        var lastPeer: [String: SocketPeer] = [:]
        var boundPort: Int?
    }

    private let state = Mutex(State())

    /// Registers an accepted connection; the id unregisters exactly this one.
    func addConnection(_ peer: SocketPeer, writer: TCPWriter) -> UInt64 {
        state.withLock { state in
            state.nextConnectionID += 1
            state.connections[peer.text] = (state.nextConnectionID, writer)
            return state.nextConnectionID
        }
    }

    func removeConnection(_ peer: SocketPeer, id: UInt64) {
        state.withLock { state in
            if state.connections[peer.text]?.id == id { state.connections[peer.text] = nil }
        }
    }

    func connection(to peer: SocketPeer) -> TCPWriter? {
        state.withLock { $0.connections[peer.text]?.writer }
    }

    var openConnections: Int { state.withLock { $0.connections.count } }

    func setUDPWriter(_ writer: UDPWriter?) { state.withLock { $0.udpWriter = writer } }
    var udpWriter: UDPWriter? { state.withLock { $0.udpWriter } }

    func noteMessage(from peer: SocketPeer, device: String) {
        state.withLock { $0.lastPeer[device] = peer }
    }

    func lastPeer(of device: String) -> SocketPeer? { state.withLock { $0.lastPeer[device] } }

    func setBoundPort(_ port: Int?) { state.withLock { $0.boundPort = port } }
    var boundPort: Int? { state.withLock { $0.boundPort } }
}
