import Foundation
import OPCUA

/// One node of the simulator's address space. The bench nodes are computed from their indices
/// rather than stored, so 10,000 variables cost no memory and a NodeId is resolved by parsing it.
enum OPCUASimulatorNode: Hashable, Sendable {
    case root, objects, types, views
    /// Objects/Server and the few of its children clients read (namespace array, server state).
    case server, serverArray, namespaceArray, serverStatus, startTime, currentTime, state
    /// A standard type definition that references point at (FolderType, BaseObjectType, ...).
    case type(UInt32)
    /// ns=2;s=dev<d>, BrowseName 2:Dev%05d.
    case device(Int)
    /// ns=2;s=d<d>.serial, BrowseName 2:SerialNumber, value "SN-%05d" of d + 1.
    case serial(Int)
    /// ns=2;s=d<d>.v<k>, BrowseName 2:v<k>, a Double that changes every round.
    case variable(device: Int, item: Int)
}

/// The address space of benchmarks/opcua/bench_server.py, node for node: the same NodeIds, browse
/// names, reference types and type definitions asyncua creates, so one connector config serves both.
struct OPCUASimulatorAddressSpace: Sendable {
    static let benchNamespace: UInt16 = 2
    static let applicationURI = "urn:tbgw:bench:server"
    /// Index 1 is the server's own URI as in asyncua, so "http://tbgw.bench" is ns=2 in both servers.
    static let namespaces = ["http://opcfoundation.org/UA/", applicationURI, "http://tbgw.bench"]

    let devices: Int
    let items: Int
    let startTime: OPCUADateTime

    // MARK: NodeId ↔ node

    /// The node a NodeId names, nil when there is none (→ BadNodeIdUnknown).
    func node(_ id: NodeId) -> OPCUASimulatorNode? {
        switch id.identifier {
        case .numeric(let value) where id.namespace == 0:
            return Self.standardNodes[value]
        case .string(let text) where id.namespace == Self.benchNamespace:
            return benchNode(text)
        default:
            return nil
        }
    }

    private static let standardNodes: [UInt32: OPCUASimulatorNode] = [
        84: .root, 85: .objects, 86: .types, 87: .views,
        2253: .server, 2254: .serverArray, 2255: .namespaceArray, 2256: .serverStatus,
        2257: .startTime, 2258: .currentTime, 2259: .state,
        58: .type(58), 61: .type(61), 63: .type(63), 68: .type(68), 2004: .type(2004), 2138: .type(2138),
    ]

    /// "dev<d>", "d<d>.serial" or "d<d>.v<k>" with indices in range, written without leading zeros
    /// (so exactly one spelling names each node, as in asyncua).
    private func benchNode(_ text: String) -> OPCUASimulatorNode? {
        let utf8 = Substring(text)
        if utf8.hasPrefix("dev") {
            guard let d = Self.index(utf8.dropFirst(3)), d < devices else { return nil }
            return .device(d)
        }
        guard utf8.hasPrefix("d"), let dot = utf8.firstIndex(of: ".") else { return nil }
        guard let d = Self.index(utf8[utf8.index(after: utf8.startIndex)..<dot]), d < devices else { return nil }
        let rest = utf8[utf8.index(after: dot)...]
        if rest == "serial" { return .serial(d) }
        guard rest.hasPrefix("v"), let k = Self.index(rest.dropFirst()), k < items else { return nil }
        return .variable(device: d, item: k)
    }

    private static func index(_ digits: Substring) -> Int? {
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              digits.first != "0" || digits.count == 1 else { return nil }
        return Int(digits)
    }

    func nodeId(_ node: OPCUASimulatorNode) -> NodeId {
        let ns = Self.benchNamespace
        switch node {
        case .root: return .numeric(84)
        case .objects: return .numeric(85)
        case .types: return .numeric(86)
        case .views: return .numeric(87)
        case .server: return .numeric(2253)
        case .serverArray: return .numeric(2254)
        case .namespaceArray: return .numeric(2255)
        case .serverStatus: return .numeric(2256)
        case .startTime: return .numeric(2257)
        case .currentTime: return .numeric(2258)
        case .state: return .numeric(2259)
        case .type(let id): return .numeric(id)
        case .device(let d): return .string("dev\(d)", namespace: ns)
        case .serial(let d): return .string("d\(d).serial", namespace: ns)
        case .variable(let d, let k): return .string("d\(d).v\(k)", namespace: ns)
        }
    }

    // MARK: Attributes that do not depend on time

    func nodeClass(_ node: OPCUASimulatorNode) -> NodeClass {
        switch node {
        case .root, .objects, .types, .views, .server, .device: return .object
        case .serverArray, .namespaceArray, .serverStatus, .startTime, .currentTime, .state, .serial, .variable:
            return .variable
        case .type(let id): return Self.typeNames[id]?.1 ?? .objectType
        }
    }

    private static let typeNames: [UInt32: (String, NodeClass)] = [
        58: ("BaseObjectType", .objectType), 61: ("FolderType", .objectType),
        63: ("BaseDataVariableType", .variableType), 68: ("PropertyType", .variableType),
        2004: ("ServerType", .objectType), 2138: ("ServerStatusType", .variableType),
    ]

    func browseName(_ node: OPCUASimulatorNode) -> QualifiedName {
        let ns = Self.benchNamespace
        switch node {
        case .root: return QualifiedName(name: "Root")
        case .objects: return QualifiedName(name: "Objects")
        case .types: return QualifiedName(name: "Types")
        case .views: return QualifiedName(name: "Views")
        case .server: return QualifiedName(name: "Server")
        case .serverArray: return QualifiedName(name: "ServerArray")
        case .namespaceArray: return QualifiedName(name: "NamespaceArray")
        case .serverStatus: return QualifiedName(name: "ServerStatus")
        case .startTime: return QualifiedName(name: "StartTime")
        case .currentTime: return QualifiedName(name: "CurrentTime")
        case .state: return QualifiedName(name: "State")
        case .type(let id): return QualifiedName(name: Self.typeNames[id]?.0 ?? "i=\(id)")
        case .device(let d): return QualifiedName(namespace: ns, name: "Dev" + Self.fiveDigits(d))
        case .serial: return QualifiedName(namespace: ns, name: "SerialNumber")
        case .variable(_, let k): return QualifiedName(namespace: ns, name: "v\(k)")
        }
    }

    /// asyncua sets the display name to the browse name without its namespace.
    func displayName(_ node: OPCUASimulatorNode) -> LocalizedText {
        LocalizedText(text: browseName(node).name)
    }

    /// Python's "%05d": at least five digits, zero-padded.
    static func fiveDigits(_ value: Int) -> String {
        let text = String(value)
        return text.count >= 5 ? text : String(repeating: "0", count: 5 - text.count) + text
    }

    func typeDefinition(_ node: OPCUASimulatorNode) -> NodeId? {
        switch node {
        case .root, .objects, .types, .views: return .numeric(61)         // FolderType
        case .server: return .numeric(2004)                                // ServerType
        case .serverStatus: return .numeric(2138)                          // ServerStatusType
        case .serverArray, .namespaceArray: return .numeric(68)           // PropertyType
        case .startTime, .currentTime, .state, .serial, .variable: return .numeric(63)  // BaseDataVariableType
        case .device: return .numeric(58)                                  // BaseObjectType
        case .type: return nil
        }
    }

    /// DataType of a variable node; nil for other node classes.
    func dataType(_ node: OPCUASimulatorNode) -> NodeId? {
        switch node {
        case .variable: return .numeric(11)                          // Double
        case .serial, .serverArray, .namespaceArray: return .numeric(12)  // String
        case .startTime, .currentTime: return .numeric(294)          // UtcTime
        case .state: return .numeric(852)                            // ServerState
        case .serverStatus: return .numeric(862)                     // ServerStatusDataType
        default: return nil
        }
    }

    private func isArray(_ node: OPCUASimulatorNode) -> Bool {
        node == .serverArray || node == .namespaceArray
    }

    // MARK: Reading

    /// True when the Value attribute of `node` changes with every round (what subscriptions report).
    func changesEveryRound(_ node: OPCUASimulatorNode, attribute: UInt32) -> Bool {
        if case .variable = node, attribute == AttributeId.value { return true }
        return false
    }

    /// The Value of a bench variable, the hot path of every Publish response.
    func variableValue(item k: Int, round: OPCUASimulatorRound, timestamps: TimestampsToReturn) -> DataValue {
        Self.stamped(.double(round.value(item: k)), source: round.stamp, server: round.stamp, timestamps)
    }

    /// One attribute of one node, as Read and the first notification of a monitored item return it.
    /// Attributes a node does not have are BadAttributeIdInvalid, per item.
    func read(_ node: OPCUASimulatorNode, attribute: UInt32, round: OPCUASimulatorRound,
              timestamps: TimestampsToReturn) -> DataValue {
        let nodeClass = nodeClass(node)
        let isVariable = nodeClass == .variable
        switch attribute {
        case AttributeId.nodeId: return DataValue(value: .nodeId(nodeId(node)))
        case AttributeId.nodeClass: return DataValue(value: .int32(nodeClass.rawValue))
        case AttributeId.browseName: return DataValue(value: .qualifiedName(browseName(node)))
        case AttributeId.displayName, AttributeId.description: return DataValue(value: .localizedText(displayName(node)))
        case AttributeId.writeMask, AttributeId.userWriteMask: return DataValue(value: .uint32(0))
        case AttributeId.isAbstract where nodeClass == .objectType || nodeClass == .variableType:
            return DataValue(value: .boolean(false))
        case AttributeId.eventNotifier where nodeClass == .object:
            return DataValue(value: .byte(node == .server ? 1 : 0))
        case AttributeId.value where isVariable:
            return value(of: node, round: round, timestamps: timestamps)
        case AttributeId.dataType where isVariable:
            return DataValue(value: .nodeId(dataType(node) ?? .numeric(24)))
        case AttributeId.valueRank where isVariable:
            return DataValue(value: .int32(isArray(node) ? 1 : -1))
        case AttributeId.arrayDimensions where isVariable:
            return DataValue(value: isArray(node) ? .array([.uint32(0)], of: .uint32) : .null)
        case AttributeId.accessLevel where isVariable, AttributeId.userAccessLevel where isVariable:
            return DataValue(value: .byte(1))    // CurrentRead: writes are not simulated
        case AttributeId.minimumSamplingInterval where isVariable:
            return DataValue(value: .double(0))
        case AttributeId.historizing where isVariable:
            return DataValue(value: .boolean(false))
        default:
            return DataValue(status: .badAttributeIdInvalid)
        }
    }

    private func value(of node: OPCUASimulatorNode, round: OPCUASimulatorRound,
                       timestamps: TimestampsToReturn) -> DataValue {
        let now = OPCUADateTime.now
        switch node {
        case .variable(_, let k):
            return variableValue(item: k, round: round, timestamps: timestamps)
        case .serial(let d):
            return Self.stamped(.string("SN-" + Self.fiveDigits(d + 1)), source: startTime, server: now, timestamps)
        case .serverArray:
            return Self.stamped(.array([.string(Self.applicationURI)], of: .string), source: startTime, server: now, timestamps)
        case .namespaceArray:
            return Self.stamped(.array(Self.namespaces.map { .string($0) }, of: .string), source: startTime,
                                server: now, timestamps)
        case .startTime:
            return Self.stamped(.dateTime(startTime), source: startTime, server: now, timestamps)
        case .currentTime:
            return Self.stamped(.dateTime(now), source: now, server: now, timestamps)
        case .state:
            return Self.stamped(.int32(0), source: startTime, server: now, timestamps)   // ServerState Running
        case .serverStatus:
            return Self.stamped(.extensionObject(serverStatus(now: now)), source: now, server: now, timestamps)
        default:
            return DataValue(status: .badAttributeIdInvalid)
        }
    }

    /// ServerStatusDataType (DefaultBinary i=864): times, state Running and a BuildInfo.
    private func serverStatus(now: OPCUADateTime) -> ExtensionObject {
        var writer = OPCUABinaryWriter()
        writer.write(startTime)
        writer.write(now)
        writer.writeInteger(Int32(0))                        // State: Running
        writer.writeString("urn:tbgw:bench")                 // BuildInfo.ProductUri
        writer.writeString("swift-iot-gateway")              // ManufacturerName
        writer.writeString("gateway-bench opcua-sim")        // ProductName
        writer.writeString("1.0")                            // SoftwareVersion
        writer.writeString("1")                              // BuildNumber
        writer.write(startTime)                              // BuildDate
        writer.writeInteger(UInt32(0))                       // SecondsTillShutdown
        writer.write(LocalizedText(text: nil))               // ShutdownReason
        return ExtensionObject(typeId: .numeric(864), body: .binary(writer.buffer))
    }

    /// A DataValue with the timestamps the client asked for.
    static func stamped(_ value: Variant, source: OPCUADateTime, server: OPCUADateTime,
                        _ timestamps: TimestampsToReturn) -> DataValue {
        switch timestamps {
        case .source: return DataValue(value: value, sourceTimestamp: source)
        case .server: return DataValue(value: value, serverTimestamp: server)
        case .both: return DataValue(value: value, sourceTimestamp: source, serverTimestamp: server)
        case .neither, .invalid: return DataValue(value: value)
        }
    }
}
