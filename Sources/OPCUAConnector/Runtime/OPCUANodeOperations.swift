import GatewayKit
import Logging
import OPCUA

/// Reads, writes and method calls on one device's nodes, for shared attributes and RPCs.
struct OPCUANodeOperations {
    let client: OPCUAClient
    let device: OPCUADevice
    let logger: Logger

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The node an RPC's `get`/`set` names: a NodeId, a key of the device's datapoints, a path
    /// from Root (`Root\.Objects\.Dev\.X` or `Root.Objects.Dev.X`) or a path below the device node.
    func node(named target: String) async throws -> NodeId {
        if OPCUANodeReference.looksLikeNodeId(target) {
            guard let id = NodeId(target) else { throw Failure(description: "Could not find identifier in string \(target)") }
            return id
        }
        if let node = device.node(forKey: target) { return node }
        let reference: OPCUANodeReference
        do {
            reference = try OPCUANodeReference(placeholder: target)
        } catch {
            throw Failure(description: "Could not find node for \(target)")
        }
        return try await node(for: reference, label: target)
    }

    func node(for reference: OPCUANodeReference, label: String) async throws -> NodeId {
        let browser = OPCUANodeBrowser(client: client, logger: logger)
        guard let node = try await browser.resolve(reference, deviceNode: device.node).first else {
            throw Failure(description: "Node not found: \(label)")
        }
        return node
    }

    /// The node's value as the uplink reports it.
    func read(_ node: NodeId) async throws -> JSONValue {
        let value = try await client.readValues([node])[0]
        if value.effectiveStatus.isBad {
            throw Failure(description: OPCUAValueConverter.errorText(value.effectiveStatus, node: node))
        }
        return OPCUAValueConverter.json(value, node: node) ?? .null
    }

    /// Writes `value` converted to the node's data type (or, for a server-defined type, the type
    /// of its current value); throws the server's bad status.
    func write(_ value: JSONValue, to node: NodeId) async throws {
        let variant = try await variant(for: value, node: node)
        let status = try await client.writeValue(variant, to: node)
        guard !status.isBad else {
            throw Failure(description: "Write to \(node) failed: \(status)")
        }
    }

    private func variant(for value: JSONValue, node: NodeId) async throws -> Variant {
        let attributes = try await client.read([
            ReadValueId(nodeId: node, attributeId: AttributeId.dataType),
            ReadValueId(nodeId: node, attributeId: AttributeId.valueRank),
        ])
        if attributes[0].effectiveStatus.isBad {
            throw Failure(description: OPCUAValueConverter.errorText(attributes[0].effectiveStatus, node: node))
        }
        var isArray = false
        if case .int32(let rank) = attributes[1].value ?? .null { isArray = rank >= 1 }
        var type: OPCUABuiltInType?
        if case .nodeId(let dataType) = attributes[0].value ?? .null { type = OPCUADataTypes.builtInType(of: dataType) }
        if type == nil {
            // A server-defined type: write what the node holds now.
            let current = try await client.readValues([node])[0]
            if let currentValue = current.value, currentValue != .null {
                type = currentValue.builtInType
                isArray = currentValue.isArray
            }
        }
        guard let type else { return OPCUAVariantCoercion.guessed(value) }
        do {
            return try OPCUAVariantCoercion.variant(value, as: type, asArray: isArray)
        } catch {
            throw Failure(description: error.description)
        }
    }

    /// Calls the method named `name` on the device node with `arguments` (converted to the
    /// method's declared input types when it declares them); returns the output as the reference
    /// does: nothing → null, one output → its value, several → a list.
    func call(method name: String, arguments: [JSONValue], typeNames: [String?] = []) async throws -> JSONValue {
        let browser = OPCUANodeBrowser(client: client, logger: logger)
        let children = try await browser.childReferences(of: device.node)
        let methods = children.filter { $0.nodeClass == .method && $0.browseName.name == name }
        // The reference calls "<device namespace>:<name>"; prefer that namespace, accept any.
        guard let method = methods.first(where: { $0.browseName.namespace == device.node.namespace }) ?? methods.first else {
            throw Failure(description: "Method \(name) not found on \(device.node)")
        }
        let methodId = method.nodeId.nodeId
        let declared = try await inputArguments(of: methodId, browser: browser)
        var variants: [Variant] = []
        for (index, argument) in arguments.enumerated() {
            let typeName = index < typeNames.count ? typeNames[index] : nil
            do {
                if index < declared.count, let type = declared[index].builtInType {
                    variants.append(try OPCUAVariantCoercion.variant(argument, as: type, asArray: declared[index].isArray))
                } else if let typeName {
                    variants.append(try OPCUAVariantCoercion.argument(argument, typeName: typeName))
                } else {
                    variants.append(OPCUAVariantCoercion.guessed(argument))
                }
            } catch {
                throw Failure(description: "argument \(index + 1): \(error.description)")
            }
        }
        let outputs: [Variant]
        do {
            outputs = try await client.call(object: device.node, method: methodId, arguments: variants)
        } catch OPCUAClientError.serviceFailed(_, let status) {
            throw Failure(description: "\(status.name ?? "\(status)"): method \(name) failed")
        }
        switch outputs.count {
        case 0: return .null
        case 1: return OPCUAValueConverter.json(outputs[0])
        default: return .array(outputs.map { OPCUAValueConverter.json($0) })
        }
    }

    /// The method's InputArguments property, decoded; empty when it has none or it cannot be read.
    private func inputArguments(of method: NodeId, browser: OPCUANodeBrowser) async throws -> [OPCUAMethodArgument] {
        let properties = try await browser.childReferences(of: method)
        guard let property = properties.first(where: { $0.browseName.name == "InputArguments" }) else { return [] }
        let value = try await client.readValues([property.nodeId.nodeId])[0]
        guard case .array(let array) = value.value ?? .null else { return [] }
        return array.elements.compactMap { element in
            guard case .extensionObject(let object) = element else { return nil }
            return try? object.decode(as: OPCUAMethodArgument.self)
        }
    }
}
