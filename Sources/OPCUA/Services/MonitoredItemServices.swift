import NIOCore

// CreateMonitoredItems / DeleteMonitoredItems (Part 4 §5.12).

/// Adds monitored items (attributes to sample and report) to a subscription.
public struct CreateMonitoredItemsRequest: Hashable, Sendable, OPCUARequest {
    public typealias Response = CreateMonitoredItemsResponse
    public static let binaryEncodingId: UInt32 = 751

    public var requestHeader: RequestHeader
    public var subscriptionId: UInt32
    public var timestampsToReturn: TimestampsToReturn
    public var itemsToCreate: [MonitoredItemCreateRequest]

    public init(
        requestHeader: RequestHeader = RequestHeader(),
        subscriptionId: UInt32 = 0,
        timestampsToReturn: TimestampsToReturn = .both,
        itemsToCreate: [MonitoredItemCreateRequest] = []
    ) {
        self.requestHeader = requestHeader
        self.subscriptionId = subscriptionId
        self.timestampsToReturn = timestampsToReturn
        self.itemsToCreate = itemsToCreate
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        requestHeader = try reader.read()
        subscriptionId = try reader.read()
        timestampsToReturn = try reader.read()
        itemsToCreate = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(requestHeader)
        writer.write(subscriptionId)
        writer.write(timestampsToReturn)
        writer.write(itemsToCreate)
    }
}

/// One result per item, in order.
public struct CreateMonitoredItemsResponse: Hashable, Sendable, OPCUAResponse {
    public static let binaryEncodingId: UInt32 = 754

    public var responseHeader: ResponseHeader
    public var results: [MonitoredItemCreateResult]
    public var diagnosticInfos: [DiagnosticInfo]

    public init(
        responseHeader: ResponseHeader = ResponseHeader(),
        results: [MonitoredItemCreateResult] = [],
        diagnosticInfos: [DiagnosticInfo] = []
    ) {
        self.responseHeader = responseHeader
        self.results = results
        self.diagnosticInfos = diagnosticInfos
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        responseHeader = try reader.read()
        results = try reader.read()
        diagnosticInfos = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(responseHeader)
        writer.write(results)
        writer.write(diagnosticInfos)
    }
}

/// One attribute to monitor and how.
public struct MonitoredItemCreateRequest: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 745

    public var itemToMonitor: ReadValueId
    public var monitoringMode: MonitoringMode
    public var requestedParameters: MonitoringParameters

    public init(
        itemToMonitor: ReadValueId = ReadValueId(),
        monitoringMode: MonitoringMode = .reporting,
        requestedParameters: MonitoringParameters = MonitoringParameters()
    ) {
        self.itemToMonitor = itemToMonitor
        self.monitoringMode = monitoringMode
        self.requestedParameters = requestedParameters
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        itemToMonitor = try reader.read()
        monitoringMode = try reader.read()
        requestedParameters = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(itemToMonitor)
        writer.write(monitoringMode)
        writer.write(requestedParameters)
    }
}

/// `clientHandle` comes back in every notification for the item; `samplingInterval` in ms (-1 = publishing
/// interval); `filter` is null or e.g. `ExtensionObject(DataChangeFilter(...))`.
public struct MonitoringParameters: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 742

    public var clientHandle: UInt32
    public var samplingInterval: Double
    public var filter: ExtensionObject
    public var queueSize: UInt32
    public var discardOldest: Bool

    public init(
        clientHandle: UInt32 = 0,
        samplingInterval: Double = 0,
        filter: ExtensionObject = .null,
        queueSize: UInt32 = 1,
        discardOldest: Bool = true
    ) {
        self.clientHandle = clientHandle
        self.samplingInterval = samplingInterval
        self.filter = filter
        self.queueSize = queueSize
        self.discardOldest = discardOldest
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        clientHandle = try reader.read()
        samplingInterval = try reader.read()
        filter = try reader.read()
        queueSize = try reader.read()
        discardOldest = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(clientHandle)
        writer.write(samplingInterval)
        writer.write(filter)
        writer.write(queueSize)
        writer.write(discardOldest)
    }
}

/// The server's id for the item and the parameters it granted.
public struct MonitoredItemCreateResult: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 748

    public var statusCode: StatusCode
    public var monitoredItemId: UInt32
    public var revisedSamplingInterval: Double
    public var revisedQueueSize: UInt32
    public var filterResult: ExtensionObject

    public init(
        statusCode: StatusCode = .good,
        monitoredItemId: UInt32 = 0,
        revisedSamplingInterval: Double = 0,
        revisedQueueSize: UInt32 = 0,
        filterResult: ExtensionObject = .null
    ) {
        self.statusCode = statusCode
        self.monitoredItemId = monitoredItemId
        self.revisedSamplingInterval = revisedSamplingInterval
        self.revisedQueueSize = revisedQueueSize
        self.filterResult = filterResult
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        statusCode = try reader.read()
        monitoredItemId = try reader.read()
        revisedSamplingInterval = try reader.read()
        revisedQueueSize = try reader.read()
        filterResult = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(statusCode)
        writer.write(monitoredItemId)
        writer.write(revisedSamplingInterval)
        writer.write(revisedQueueSize)
        writer.write(filterResult)
    }
}

/// Reports a change only per `trigger` and outside a deadband (`DeadbandType`).
public struct DataChangeFilter: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 724

    public var trigger: DataChangeTrigger
    public var deadbandType: UInt32
    public var deadbandValue: Double

    public init(trigger: DataChangeTrigger = .statusValue, deadbandType: UInt32 = 0, deadbandValue: Double = 0) {
        self.trigger = trigger
        self.deadbandType = deadbandType
        self.deadbandValue = deadbandValue
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        trigger = try reader.read()
        deadbandType = try reader.read()
        deadbandValue = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(trigger)
        writer.write(deadbandType)
        writer.write(deadbandValue)
    }
}

/// Removes monitored items from a subscription.
public struct DeleteMonitoredItemsRequest: Hashable, Sendable, OPCUARequest {
    public typealias Response = DeleteMonitoredItemsResponse
    public static let binaryEncodingId: UInt32 = 781

    public var requestHeader: RequestHeader
    public var subscriptionId: UInt32
    public var monitoredItemIds: [UInt32]

    public init(
        requestHeader: RequestHeader = RequestHeader(),
        subscriptionId: UInt32 = 0,
        monitoredItemIds: [UInt32] = []
    ) {
        self.requestHeader = requestHeader
        self.subscriptionId = subscriptionId
        self.monitoredItemIds = monitoredItemIds
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        requestHeader = try reader.read()
        subscriptionId = try reader.read()
        monitoredItemIds = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(requestHeader)
        writer.write(subscriptionId)
        writer.write(monitoredItemIds)
    }
}

/// One StatusCode per item.
public struct DeleteMonitoredItemsResponse: Hashable, Sendable, OPCUAResponse {
    public static let binaryEncodingId: UInt32 = 784

    public var responseHeader: ResponseHeader
    public var results: [StatusCode]
    public var diagnosticInfos: [DiagnosticInfo]

    public init(
        responseHeader: ResponseHeader = ResponseHeader(),
        results: [StatusCode] = [],
        diagnosticInfos: [DiagnosticInfo] = []
    ) {
        self.responseHeader = responseHeader
        self.results = results
        self.diagnosticInfos = diagnosticInfos
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        responseHeader = try reader.read()
        results = try reader.read()
        diagnosticInfos = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(responseHeader)
        writer.write(results)
        writer.write(diagnosticInfos)
    }
}
