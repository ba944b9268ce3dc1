import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import MQTT
import NIOCore
import NIOPosix

/// `gateway-bench mqtt-relay`: the floor of a Swift program on this machine. It forwards every
/// `sensor/+/data` message from one broker to another with QoS 1 on both legs, as the mosquitto
/// bridge of the MQTT benchmark's latency floor does, using the project's MQTT codec on bare SwiftNIO
/// handlers on one event loop: no Swift concurrency, no conversion, no storage. The benchmark's CPU
/// per datapoint for this relay bounds from below what any gateway written on SwiftNIO pays per message
/// at a low rate on this machine (wake-ups, syscalls), beside the same figure for mosquitto's C.
struct MQTTRelayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mqtt-relay",
        abstract: "Relay sensor/+/data from one broker to another (QoS 1 both ways) on bare SwiftNIO: a CPU floor.")

    @Option(help: "Port of the broker the sensors publish to (127.0.0.1).") var from = 1883
    @Option(help: "Port of the broker the messages go to (127.0.0.1).") var to = 1884
    @Option(help: "Topic filter to relay.") var filter = "sensor/+/data"
    @Flag(help: "Set TCP_QUICKACK after every read on the outgoing connection, as the gateway's ThingsBoard client does.")
    var quickAck = false

    func run() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let outgoing = try Self.connect(port: to, on: loop, handler: RelayOutgoingHandler(quickAck: quickAck))
        let incoming = try Self.connect(port: from, on: loop,
                                        handler: RelayIncomingHandler(filter: filter, outgoing: outgoing))
        print("relaying \(filter) from 127.0.0.1:\(from) to 127.0.0.1:\(to)")
        try incoming.closeFuture.wait()
        try? outgoing.close().wait()
    }

    private static func connect<Handler: ChannelHandler>(
        port: Int, on loop: EventLoop, handler: @escaping @autoclosure @Sendable () -> Handler
    ) throws -> Channel {
        try ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(MQTTPacketDecoder(version: .v3_1_1)),
                        MessageToByteHandler(MQTTPacketEncoder(version: .v3_1_1)),
                        handler(),
                    ])
                }
            }
            .connect(host: "127.0.0.1", port: port).wait()
    }
}

/// Sends CONNECT once the connection is up. Shared by both legs.
private func sendConnect(_ context: ChannelHandlerContext, clientID: String) {
    let connect = MQTTConnectPacket(version: .v3_1_1, clientID: clientID, cleanSession: true, keepAlive: 0)
    context.writeAndFlush(NIOAny(MQTTPacket.connect(connect)), promise: nil)
}

/// The leg from the sensors' broker: subscribes after CONNACK, acknowledges each PUBLISH and hands it to
/// the outgoing leg in the same event-loop turn.
private final class RelayIncomingHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = MQTTPacket
    typealias OutboundOut = MQTTPacket

    private let filter: String
    private let outgoing: Channel

    init(filter: String, outgoing: Channel) {
        self.filter = filter
        self.outgoing = outgoing
    }

    func channelActive(context: ChannelHandlerContext) {
        sendConnect(context, clientID: "gateway-bench-relay-in")
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .connack:
            let subscribe = MQTTSubscribePacket(packetID: 1, subscriptions: [MQTTSubscription(filter: filter)])
            context.writeAndFlush(wrapOutboundOut(.subscribe(subscribe)), promise: nil)
        case .publish(let publish):
            if let id = publish.packetID {
                context.write(wrapOutboundOut(.puback(MQTTAckPacket(packetID: id))), promise: nil)
            }
            outgoing.write(MQTTPacket.publish(publish), promise: nil)
        default:
            break
        }
    }

    // One flush per read batch on each leg, as the gateway's client flushes.
    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        outgoing.flush()
    }
}

/// The leg to the destination broker: numbers each relayed PUBLISH (QoS 1) and takes the PUBACKs.
/// Event-loop confined: every call runs on the one loop of the relay.
private final class RelayOutgoingHandler: ChannelDuplexHandler {
    typealias InboundIn = MQTTPacket
    typealias OutboundIn = MQTTPacket
    typealias OutboundOut = MQTTPacket

    private let quickAck: Bool
    private var nextPacketID: UInt16 = 0

    init(quickAck: Bool) { self.quickAck = quickAck }

    func channelActive(context: ChannelHandlerContext) {
        sendConnect(context, clientID: "gateway-bench-relay-out")
        context.fireChannelActive()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .publish(var publish) = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        nextPacketID = nextPacketID == .max ? 1 : nextPacketID + 1
        publish.qos = .atLeastOnce
        publish.packetID = nextPacketID
        context.write(wrapOutboundOut(.publish(publish)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func channelReadComplete(context: ChannelHandlerContext) {
        if quickAck {
            try? context.channel.syncOptions?.setOption(
                ChannelOptions.Types.SocketOption(level: .tcp, name: NIOBSDSocket.Option(rawValue: CInt(TCP_QUICKACK))), value: 1)
        }
    }
}
