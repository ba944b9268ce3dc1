import Expressions
import GatewayKit
import Logging
import OPCUA

/// One pass over the configured `mapping`: finds the device nodes, names the devices from
/// their expressions and finds the node of every datapoint. Unlike the reference, every node a
/// pattern matches becomes a device (the reference stops at the first), path segments may be
/// regular expressions, and relative paths are resolved from each device's own node.
struct OPCUADeviceScanner {
    let mapping: [OPCUADeviceMapping]
    let browser: OPCUANodeBrowser
    let client: OPCUAClient
    let logger: Logger
    let showMap: Bool

    struct Result: Sendable {
        var devices: [OPCUADevice]
        /// False when something configured was not found (a device pattern, a name node, a
        /// datapoint node): the connector then scans again sooner than `scanPeriodInMillis`.
        var complete: Bool
    }

    func scan() async throws -> Result {
        browser.forget()
        var devices: [OPCUADevice] = []
        var names = Set<String>()
        var complete = true
        for (index, entry) in mapping.enumerated() {
            let nodes = try await deviceNodes(of: entry)
            if nodes.isEmpty {
                complete = false
                logger.warning("OPC-UA mapping matches no node; devices of it are skipped until it does",
                               metadata: ["mapping": "\(index)", "deviceNodePattern": "\(entry.deviceNodePattern)"])
                continue
            }
            for node in nodes {
                guard let name = try await render(entry.deviceName, deviceNode: node), !name.isEmpty else {
                    complete = false
                    logger.warning("OPC-UA device name could not be read; device skipped",
                                   metadata: ["node": "\(node)", "deviceNameExpression": "\(entry.deviceName)"])
                    continue
                }
                guard names.insert(name).inserted else {
                    logger.warning("OPC-UA device name used by two nodes; the second is skipped",
                                   metadata: ["device": "\(name)", "node": "\(node)"])
                    continue
                }
                let type = try await render(entry.deviceProfile, deviceNode: node) ?? entry.deviceProfile.source
                let (datapoints, constants, allFound) = try await bind(entry, deviceNode: node, deviceName: name)
                if !allFound { complete = false }
                if showMap {
                    logger.info("OPC-UA device found", metadata: [
                        "device": "\(name)", "node": "\(node)", "datapoints": "\(datapoints.count)"])
                }
                devices.append(OPCUADevice(name: name, type: type.isEmpty ? "default" : type, node: node, mapping: entry,
                                           datapoints: datapoints, constants: constants))
            }
        }
        return Result(devices: devices, complete: complete)
    }

    private func deviceNodes(of entry: OPCUADeviceMapping) async throws -> [NodeId] {
        switch entry.deviceNodePattern {
        case .nodeId(let id):
            // Check that the node exists: an unknown NodeId is not a device.
            let browseName = try await client.read([ReadValueId(nodeId: id, attributeId: AttributeId.browseName)])[0]
            return browseName.effectiveStatus.isBad ? [] : [id]
        case .path(let path):
            return try await browser.resolve(path.belowRoot, from: WellKnownNodeId.rootFolder)
        }
    }

    /// The text of a name/profile template with each `${…}` replaced by its node's value; nil
    /// when a placeholder's node is missing or unreadable.
    func render(_ template: OPCUANameTemplate, deviceNode: NodeId) async throws -> String? {
        if template.isConstant { return template.source }
        var texts: [OPCUANodeReference: String] = [:]
        for reference in template.references where texts[reference] == nil {
            guard let node = try await browser.resolve(reference, deviceNode: deviceNode).first else { return nil }
            let value = try await client.readValues([node])[0]
            guard !value.effectiveStatus.isBad, let variant = value.value else { return nil }
            texts[reference] = PythonText.str(OPCUAValueConverter.json(variant))
        }
        return template.render { texts[$0] ?? "" }
    }

    private func bind(_ entry: OPCUADeviceMapping, deviceNode: NodeId,
                      deviceName: String) async throws -> ([OPCUABoundDatapoint], [OPCUADevice.Constant], Bool) {
        var bound: [OPCUABoundDatapoint] = []
        var constants: [OPCUADevice.Constant] = []
        var allFound = true
        for (section, datapoints) in [(OPCUADatapointSection.attributes, entry.attributes), (.timeseries, entry.timeseries)] {
            for datapoint in datapoints {
                switch datapoint.source {
                case .constant:
                    constants.append(OPCUADevice.Constant(section: section, datapoint: datapoint))
                case .node(let reference):
                    let found = try await browser.resolve(reference, deviceNode: deviceNode)
                    guard let node = found.first else {
                        allFound = false
                        logger.warning("OPC-UA node not found", metadata: [
                            "device": "\(deviceName)", "key": "\(datapoint.key)", "path": "\(reference)"])
                        continue
                    }
                    if found.count > 1 {
                        logger.warning("OPC-UA path matches several nodes; the first is used", metadata: [
                            "device": "\(deviceName)", "key": "\(datapoint.key)", "path": "\(reference)",
                            "matches": "\(found.count)"])
                    }
                    bound.append(OPCUABoundDatapoint(key: datapoint.key, section: section, node: node,
                                                     timestampLocation: datapoint.timestampLocation,
                                                     reportStrategy: datapoint.reportStrategy))
                }
            }
        }
        return (bound, constants, allFound)
    }
}
