import Foundation
import NIOCore
import NIOPosix
import OPCUA
import Synchronization

/// What every connection of the simulator shares: the address space (immutable), the current
/// round, the counters and the server-wide id counters. All Sendable by construction.
final class OPCUASimulatorShared: Sendable {
    let space: OPCUASimulatorAddressSpace
    let values: OPCUASimulatorValues
    let counters: OPCUASimulatorCounters
    let endpointURL: String
    private let nextChannelId = Atomic<UInt32>(1)
    private let nextSessionId = Atomic<UInt32>(1)
    private let nextSubscriptionId = Atomic<UInt32>(1)

    init(space: OPCUASimulatorAddressSpace, values: OPCUASimulatorValues, counters: OPCUASimulatorCounters,
         endpointURL: String) {
        self.space = space
        self.values = values
        self.counters = counters
        self.endpointURL = endpointURL
    }

    func takeChannelId() -> UInt32 { nextChannelId.wrappingAdd(1, ordering: .relaxed).oldValue }
    func takeSessionId() -> UInt32 { nextSessionId.wrappingAdd(1, ordering: .relaxed).oldValue }
    /// Unique across sessions, as Part 4 asks of subscription ids.
    func takeSubscriptionId() -> UInt32 { nextSubscriptionId.wrappingAdd(1, ordering: .relaxed).oldValue }

    /// The one endpoint: SecurityPolicy None, anonymous or user name (not checked) identity.
    var endpoint: EndpointDescription {
        EndpointDescription(
            endpointURL: endpointURL,
            server: ApplicationDescription(
                applicationURI: OPCUASimulatorAddressSpace.applicationURI, productURI: "urn:tbgw:bench",
                applicationName: LocalizedText(text: "gateway-bench OPC-UA simulator"), applicationType: .server,
                discoveryURLs: [endpointURL]),
            serverCertificate: nil,
            securityMode: .none,
            securityPolicyURI: OPCUASecurityNone.uri,
            userIdentityTokens: [
                UserTokenPolicy(policyId: "anonymous", tokenType: .anonymous),
                UserTokenPolicy(policyId: "username", tokenType: .userName, securityPolicyURI: OPCUASecurityNone.uri),
            ],
            transportProfileURI: "http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary",
            securityLevel: 0)
    }
}

/// The listening socket: a NIO server whose connections each get a chunk decoder and an
/// `OPCUASimulatorHandler`, all on the shared event loop group.
struct OPCUASimulatorServer {
    /// Our receive buffer (Acknowledge) and so the largest chunk the decoder accepts.
    static let receiveBufferSize = 65536

    let channel: any Channel

    static func start(host: String, port: Int, shared: OPCUASimulatorShared) async throws -> OPCUASimulatorServer {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(UATCPChunkDecoder(maxChunkSize: receiveBufferSize)))
                    try channel.pipeline.syncOperations.addHandler(OPCUASimulatorHandler(shared: shared))
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        return OPCUASimulatorServer(channel: channel)
    }

    func stop() async {
        try? await channel.close()
    }
}

/// Diagnostics go to stderr (server.log in the benchmark); stdout carries only READY and counters.
func opcuaSimulatorLog(_ message: String) {
    FileHandle.standardError.write(Data("opcua-sim: \(message)\n".utf8))
}
