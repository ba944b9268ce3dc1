import GatewayKit
import OPCUA

/// A device found on the server: a node that matched a mapping's `deviceNodePattern`, named by
/// its `deviceInfo`, with the nodes of its datapoints resolved.
struct OPCUADevice: Sendable {
    var name: String
    var type: String
    /// The device's own node: relative paths, method calls and `get`/`set` start here.
    var node: NodeId
    var mapping: OPCUADeviceMapping
    var datapoints: [OPCUABoundDatapoint]
    var constants: [Constant]

    struct Constant: Sendable {
        var section: OPCUADatapointSection
        var datapoint: OPCUADatapoint
    }

    var converter: OPCUAUplinkConverter {
        OPCUAUplinkConverter(deviceName: name, deviceType: type, reportStrategy: mapping.reportStrategy)
    }

    /// The node of the datapoint with this key (RPC `get`/`set` may name a key).
    func node(forKey key: String) -> NodeId? {
        datapoints.first { $0.key == key }?.node
    }

    /// True when polling or monitoring would need to change (nodes, keys or sections differ).
    func sameBindings(as other: OPCUADevice) -> Bool {
        datapoints == other.datapoints && type == other.type && node == other.node
    }
}

/// What the connector currently maps, published as one value so the data path (subscription
/// feed, poller) and the downlink read a consistent picture while a scan builds the next one.
struct OPCUAMappingSnapshot: Sendable {
    var devices: [OPCUADevice] = []
    private(set) var indexByName: [String: Int] = [:]
    /// For each node: which datapoints of which devices it feeds (one node may feed many).
    private(set) var bindings: [NodeId: [Binding]] = [:]
    /// Distinct value nodes in first-seen order: what is polled or monitored.
    private(set) var nodes: [NodeId] = []

    struct Binding: Sendable {
        var device: Int
        var datapoint: Int
    }

    init(devices: [OPCUADevice] = []) {
        self.devices = devices
        for (deviceIndex, device) in devices.enumerated() {
            indexByName[device.name] = deviceIndex
            for (datapointIndex, datapoint) in device.datapoints.enumerated() {
                if bindings[datapoint.node] == nil { nodes.append(datapoint.node) }
                bindings[datapoint.node, default: []].append(Binding(device: deviceIndex, datapoint: datapointIndex))
            }
        }
    }

    func device(named name: String) -> OPCUADevice? {
        indexByName[name].map { devices[$0] }
    }

    /// Converts values received for nodes into one ConvertedData per device (in device order),
    /// leaving out devices with nothing to report.
    func convert(_ values: [NodeValue]) -> [ConvertedData] {
        var perDevice: [Int: [OPCUAUplinkConverter.Reading]] = [:]
        for value in values {
            for binding in bindings[value.node] ?? [] {
                let datapoint = devices[binding.device].datapoints[binding.datapoint]
                perDevice[binding.device, default: []].append(
                    OPCUAUplinkConverter.Reading(datapoint: datapoint, value: value.value, receivedAt: value.receivedAt))
            }
        }
        return perDevice.keys.sorted().compactMap { index in
            let data = devices[index].converter.convert(perDevice[index] ?? [])
            return data.isEmpty ? nil : data
        }
    }

    /// A value the server sent for a node, with the gateway's receive time (Unix ms).
    struct NodeValue: Sendable {
        var node: NodeId
        var value: DataValue
        var receivedAt: Int64
    }
}
