/// NodeIds of namespace 0 that clients use directly (values from the standard NodeSet, Part 6 Annex A).
public enum WellKnownNodeId {
    public static let rootFolder = NodeId.numeric(84)
    public static let objectsFolder = NodeId.numeric(85)
    public static let typesFolder = NodeId.numeric(86)
    public static let viewsFolder = NodeId.numeric(87)
    public static let server = NodeId.numeric(2253)
    public static let serverServerArray = NodeId.numeric(2254)
    public static let serverNamespaceArray = NodeId.numeric(2255)
    public static let serverServerStatus = NodeId.numeric(2256)
    public static let serverServerStatusStartTime = NodeId.numeric(2257)
    public static let serverServerStatusCurrentTime = NodeId.numeric(2258)
    public static let serverServerStatusState = NodeId.numeric(2259)
    public static let serverServiceLevel = NodeId.numeric(2267)
    public static let references = NodeId.numeric(31)
    public static let nonHierarchicalReferences = NodeId.numeric(32)
    public static let hierarchicalReferences = NodeId.numeric(33)
    public static let hasChild = NodeId.numeric(34)
    public static let organizes = NodeId.numeric(35)
    public static let hasEventSource = NodeId.numeric(36)
    public static let hasModellingRule = NodeId.numeric(37)
    public static let hasEncoding = NodeId.numeric(38)
    public static let hasDescription = NodeId.numeric(39)
    public static let hasTypeDefinition = NodeId.numeric(40)
    public static let generatesEvent = NodeId.numeric(41)
    public static let aggregates = NodeId.numeric(44)
    public static let hasSubtype = NodeId.numeric(45)
    public static let hasProperty = NodeId.numeric(46)
    public static let hasComponent = NodeId.numeric(47)
    public static let hasNotifier = NodeId.numeric(48)
    public static let hasOrderedComponent = NodeId.numeric(49)
    public static let baseObjectType = NodeId.numeric(58)
    public static let folderType = NodeId.numeric(61)
    public static let baseVariableType = NodeId.numeric(62)
    public static let baseDataVariableType = NodeId.numeric(63)
    public static let propertyType = NodeId.numeric(68)
}

/// Attribute ids for ReadValueId / WriteValue (Part 6 Annex A.1).
public enum AttributeId {
    public static let nodeId: UInt32 = 1
    public static let nodeClass: UInt32 = 2
    public static let browseName: UInt32 = 3
    public static let displayName: UInt32 = 4
    public static let description: UInt32 = 5
    public static let writeMask: UInt32 = 6
    public static let userWriteMask: UInt32 = 7
    public static let isAbstract: UInt32 = 8
    public static let symmetric: UInt32 = 9
    public static let inverseName: UInt32 = 10
    public static let containsNoLoops: UInt32 = 11
    public static let eventNotifier: UInt32 = 12
    public static let value: UInt32 = 13
    public static let dataType: UInt32 = 14
    public static let valueRank: UInt32 = 15
    public static let arrayDimensions: UInt32 = 16
    public static let accessLevel: UInt32 = 17
    public static let userAccessLevel: UInt32 = 18
    public static let minimumSamplingInterval: UInt32 = 19
    public static let historizing: UInt32 = 20
    public static let executable: UInt32 = 21
    public static let userExecutable: UInt32 = 22
    public static let dataTypeDefinition: UInt32 = 23
    public static let rolePermissions: UInt32 = 24
    public static let userRolePermissions: UInt32 = 25
    public static let accessRestrictions: UInt32 = 26
    public static let accessLevelEx: UInt32 = 27
}
