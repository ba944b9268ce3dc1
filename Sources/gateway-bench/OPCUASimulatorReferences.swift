import OPCUA

/// One reference of a node: its type (a namespace-0 ReferenceType), direction and target.
struct OPCUASimulatorReference {
    var type: UInt32
    var isForward: Bool
    var target: OPCUASimulatorNode
}

/// The references of the address space (what Browse and TranslateBrowsePaths follow), laid out as
/// asyncua lays out bench_server.py's nodes: Objects is a FolderType, so devices hang below it by
/// Organizes; variables hang below their device by HasComponent.
extension OPCUASimulatorAddressSpace {
    static let organizes: UInt32 = 35
    static let hasComponent: UInt32 = 47
    static let hasProperty: UInt32 = 46
    static let hasTypeDefinition: UInt32 = 40

    func references(of node: OPCUASimulatorNode) -> [OPCUASimulatorReference] {
        var result: [OPCUASimulatorReference] = []
        func forward(_ type: UInt32, _ target: OPCUASimulatorNode) { result.append(.init(type: type, isForward: true, target: target)) }
        func inverse(_ type: UInt32, _ target: OPCUASimulatorNode) { result.append(.init(type: type, isForward: false, target: target)) }
        switch node {
        case .root:
            forward(Self.organizes, .objects)
            forward(Self.organizes, .types)
            forward(Self.organizes, .views)
        case .objects:
            inverse(Self.organizes, .root)
            forward(Self.organizes, .server)
            result.reserveCapacity(devices + 3)
            for d in 0..<devices { forward(Self.organizes, .device(d)) }
        case .types, .views:
            inverse(Self.organizes, .root)
        case .server:
            inverse(Self.organizes, .objects)
            forward(Self.hasProperty, .serverArray)
            forward(Self.hasProperty, .namespaceArray)
            forward(Self.hasComponent, .serverStatus)
        case .serverArray, .namespaceArray:
            inverse(Self.hasProperty, .server)
        case .serverStatus:
            inverse(Self.hasComponent, .server)
            forward(Self.hasComponent, .startTime)
            forward(Self.hasComponent, .currentTime)
            forward(Self.hasComponent, .state)
        case .startTime, .currentTime, .state:
            inverse(Self.hasComponent, .serverStatus)
        case .type:
            break
        case .device(let d):
            inverse(Self.organizes, .objects)
            result.reserveCapacity(items + 3)
            forward(Self.hasComponent, .serial(d))
            for k in 0..<items { forward(Self.hasComponent, .variable(device: d, item: k)) }
        case .serial(let d), .variable(let d, _):
            inverse(Self.hasComponent, .device(d))
        }
        if let type = typeDefinition(node), let target = self.node(type) {
            forward(Self.hasTypeDefinition, target)
        }
        return result
    }

    /// The parent of each ReferenceType used here (Part 5 hierarchy), for `includeSubtypes`.
    private static let referenceTypeParents: [UInt32: UInt32] = [
        32: 31, 33: 31,            // NonHierarchical-, HierarchicalReferences → References
        34: 33, 35: 33,            // HasChild, Organizes → HierarchicalReferences
        44: 34, 45: 34,            // Aggregates, HasSubtype → HasChild
        46: 44, 47: 44,            // HasProperty, HasComponent → Aggregates
        40: 32,                    // HasTypeDefinition → NonHierarchicalReferences
    ]

    /// True when a reference of `type` passes a filter on `wanted` (null = every reference).
    static func referenceType(_ type: UInt32, matches wanted: NodeId, includeSubtypes: Bool) -> Bool {
        if wanted.isNull { return true }
        guard let wantedId = wanted.namespaceZeroNumeric else { return false }
        var current: UInt32? = type
        while let id = current {
            if id == wantedId { return true }
            guard includeSubtypes else { return false }
            current = referenceTypeParents[id]
        }
        return false
    }

    /// The references Browse returns for one BrowseDescription, honouring direction, reference type,
    /// node class mask and result mask.
    func browse(_ node: OPCUASimulatorNode, _ description: BrowseDescription) -> [ReferenceDescription] {
        let mask = BrowseResultMask(rawValue: description.resultMask)
        var result: [ReferenceDescription] = []
        for reference in references(of: node) {
            switch description.browseDirection {
            case .forward where !reference.isForward, .inverse where reference.isForward: continue
            default: break
            }
            guard Self.referenceType(reference.type, matches: description.referenceTypeId,
                                     includeSubtypes: description.includeSubtypes) else { continue }
            let targetClass = nodeClass(reference.target)
            if description.nodeClassMask != 0, description.nodeClassMask & targetClass.maskBit == 0 { continue }
            var entry = ReferenceDescription(nodeId: ExpandedNodeId(nodeId: nodeId(reference.target)))
            if mask.contains(.referenceTypeId) { entry.referenceTypeId = .numeric(reference.type) }
            if mask.contains(.isForward) { entry.isForward = reference.isForward }
            if mask.contains(.nodeClass) { entry.nodeClass = targetClass }
            if mask.contains(.browseName) { entry.browseName = browseName(reference.target) }
            if mask.contains(.displayName) { entry.displayName = displayName(reference.target) }
            if mask.contains(.typeDefinition), let type = typeDefinition(reference.target),
               targetClass == .object || targetClass == .variable {
                entry.typeDefinition = ExpandedNodeId(nodeId: type)
            }
            result.append(entry)
        }
        return result
    }

    /// TranslateBrowsePathsToNodeIds for one path: every node reached by following the elements'
    /// browse names from the starting node.
    func translate(_ path: BrowsePath) -> BrowsePathResult {
        guard let start = node(path.startingNode) else { return BrowsePathResult(statusCode: .badNodeIdUnknown) }
        guard !path.relativePath.elements.isEmpty else { return BrowsePathResult(statusCode: .badNothingToDo) }
        var current = [start]
        for element in path.relativePath.elements {
            guard let name = element.targetName.name, !name.isEmpty else {
                return BrowsePathResult(statusCode: .badBrowseNameInvalid)
            }
            var next: [OPCUASimulatorNode] = []
            for node in current {
                for reference in references(of: node) where reference.isForward != element.isInverse {
                    guard Self.referenceType(reference.type, matches: element.referenceTypeId,
                                             includeSubtypes: element.includeSubtypes),
                          browseName(reference.target) == element.targetName,
                          !next.contains(reference.target) else { continue }
                    next.append(reference.target)
                }
            }
            guard !next.isEmpty else { return BrowsePathResult(statusCode: .badNoMatch) }
            current = next
        }
        return BrowsePathResult(statusCode: .good, targets: current.map {
            BrowsePathTarget(targetId: ExpandedNodeId(nodeId: nodeId($0)), remainingPathIndex: UInt32.max)
        })
    }
}
