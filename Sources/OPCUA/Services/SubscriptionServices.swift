import NIOCore

// CreateSubscription / ModifySubscription / SetPublishingMode / DeleteSubscriptions (Part 4 §5.13).

/// Creates a subscription; intervals in ms, counts in publishing intervals.
public struct CreateSubscriptionRequest: Hashable, Sendable, OPCUARequest {
    public typealias Response = CreateSubscriptionResponse
    public static let binaryEncodingId: UInt32 = 787

    public var requestHeader: RequestHeader
    public var requestedPublishingInterval: Double
    public var requestedLifetimeCount: UInt32
    public var requestedMaxKeepAliveCount: UInt32
    public var maxNotificationsPerPublish: UInt32
    public var publishingEnabled: Bool
    public var priority: UInt8

    public init(
        requestHeader: RequestHeader = RequestHeader(),
        requestedPublishingInterval: Double = 0,
        requestedLifetimeCount: UInt32 = 0,
        requestedMaxKeepAliveCount: UInt32 = 0,
        maxNotificationsPerPublish: UInt32 = 0,
        publishingEnabled: Bool = true,
        priority: UInt8 = 0
    ) {
        self.requestHeader = requestHeader
        self.requestedPublishingInterval = requestedPublishingInterval
        self.requestedLifetimeCount = requestedLifetimeCount
        self.requestedMaxKeepAliveCount = requestedMaxKeepAliveCount
        self.maxNotificationsPerPublish = maxNotificationsPerPublish
        self.publishingEnabled = publishingEnabled
        self.priority = priority
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        requestHeader = try reader.read()
        requestedPublishingInterval = try reader.read()
        requestedLifetimeCount = try reader.read()
        requestedMaxKeepAliveCount = try reader.read()
        maxNotificationsPerPublish = try reader.read()
        publishingEnabled = try reader.read()
        priority = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(requestHeader)
        writer.write(requestedPublishingInterval)
        writer.write(requestedLifetimeCount)
        writer.write(requestedMaxKeepAliveCount)
        writer.write(maxNotificationsPerPublish)
        writer.write(publishingEnabled)
        writer.write(priority)
    }
}

/// The subscription id and the values the server actually granted.
public struct CreateSubscriptionResponse: Hashable, Sendable, OPCUAResponse {
    public static let binaryEncodingId: UInt32 = 790

    public var responseHeader: ResponseHeader
    public var subscriptionId: UInt32
    public var revisedPublishingInterval: Double
    public var revisedLifetimeCount: UInt32
    public var revisedMaxKeepAliveCount: UInt32

    public init(
        responseHeader: ResponseHeader = ResponseHeader(),
        subscriptionId: UInt32 = 0,
        revisedPublishingInterval: Double = 0,
        revisedLifetimeCount: UInt32 = 0,
        revisedMaxKeepAliveCount: UInt32 = 0
    ) {
        self.responseHeader = responseHeader
        self.subscriptionId = subscriptionId
        self.revisedPublishingInterval = revisedPublishingInterval
        self.revisedLifetimeCount = revisedLifetimeCount
        self.revisedMaxKeepAliveCount = revisedMaxKeepAliveCount
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        responseHeader = try reader.read()
        subscriptionId = try reader.read()
        revisedPublishingInterval = try reader.read()
        revisedLifetimeCount = try reader.read()
        revisedMaxKeepAliveCount = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(responseHeader)
        writer.write(subscriptionId)
        writer.write(revisedPublishingInterval)
        writer.write(revisedLifetimeCount)
        writer.write(revisedMaxKeepAliveCount)
    }
}

/// Changes a subscription's timing.
public struct ModifySubscriptionRequest: Hashable, Sendable, OPCUARequest {
    public typealias Response = ModifySubscriptionResponse
    public static let binaryEncodingId: UInt32 = 793

    public var requestHeader: RequestHeader
    public var subscriptionId: UInt32
    public var requestedPublishingInterval: Double
    public var requestedLifetimeCount: UInt32
    public var requestedMaxKeepAliveCount: UInt32
    public var maxNotificationsPerPublish: UInt32
    public var priority: UInt8

    public init(
        requestHeader: RequestHeader = RequestHeader(),
        subscriptionId: UInt32 = 0,
        requestedPublishingInterval: Double = 0,
        requestedLifetimeCount: UInt32 = 0,
        requestedMaxKeepAliveCount: UInt32 = 0,
        maxNotificationsPerPublish: UInt32 = 0,
        priority: UInt8 = 0
    ) {
        self.requestHeader = requestHeader
        self.subscriptionId = subscriptionId
        self.requestedPublishingInterval = requestedPublishingInterval
        self.requestedLifetimeCount = requestedLifetimeCount
        self.requestedMaxKeepAliveCount = requestedMaxKeepAliveCount
        self.maxNotificationsPerPublish = maxNotificationsPerPublish
        self.priority = priority
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        requestHeader = try reader.read()
        subscriptionId = try reader.read()
        requestedPublishingInterval = try reader.read()
        requestedLifetimeCount = try reader.read()
        requestedMaxKeepAliveCount = try reader.read()
        maxNotificationsPerPublish = try reader.read()
        priority = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(requestHeader)
        writer.write(subscriptionId)
        writer.write(requestedPublishingInterval)
        writer.write(requestedLifetimeCount)
        writer.write(requestedMaxKeepAliveCount)
        writer.write(maxNotificationsPerPublish)
        writer.write(priority)
    }
}

/// The values the server actually granted.
public struct ModifySubscriptionResponse: Hashable, Sendable, OPCUAResponse {
    public static let binaryEncodingId: UInt32 = 796

    public var responseHeader: ResponseHeader
    public var revisedPublishingInterval: Double
    public var revisedLifetimeCount: UInt32
    public var revisedMaxKeepAliveCount: UInt32

    public init(
        responseHeader: ResponseHeader = ResponseHeader(),
        revisedPublishingInterval: Double = 0,
        revisedLifetimeCount: UInt32 = 0,
        revisedMaxKeepAliveCount: UInt32 = 0
    ) {
        self.responseHeader = responseHeader
        self.revisedPublishingInterval = revisedPublishingInterval
        self.revisedLifetimeCount = revisedLifetimeCount
        self.revisedMaxKeepAliveCount = revisedMaxKeepAliveCount
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        responseHeader = try reader.read()
        revisedPublishingInterval = try reader.read()
        revisedLifetimeCount = try reader.read()
        revisedMaxKeepAliveCount = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(responseHeader)
        writer.write(revisedPublishingInterval)
        writer.write(revisedLifetimeCount)
        writer.write(revisedMaxKeepAliveCount)
    }
}

/// Enables or disables publishing of subscriptions.
public struct SetPublishingModeRequest: Hashable, Sendable, OPCUARequest {
    public typealias Response = SetPublishingModeResponse
    public static let binaryEncodingId: UInt32 = 799

    public var requestHeader: RequestHeader
    public var publishingEnabled: Bool
    public var subscriptionIds: [UInt32]

    public init(
        requestHeader: RequestHeader = RequestHeader(),
        publishingEnabled: Bool = false,
        subscriptionIds: [UInt32] = []
    ) {
        self.requestHeader = requestHeader
        self.publishingEnabled = publishingEnabled
        self.subscriptionIds = subscriptionIds
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        requestHeader = try reader.read()
        publishingEnabled = try reader.read()
        subscriptionIds = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(requestHeader)
        writer.write(publishingEnabled)
        writer.write(subscriptionIds)
    }
}

/// One StatusCode per subscription.
public struct SetPublishingModeResponse: Hashable, Sendable, OPCUAResponse {
    public static let binaryEncodingId: UInt32 = 802

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

/// Deletes subscriptions (and their monitored items).
public struct DeleteSubscriptionsRequest: Hashable, Sendable, OPCUARequest {
    public typealias Response = DeleteSubscriptionsResponse
    public static let binaryEncodingId: UInt32 = 847

    public var requestHeader: RequestHeader
    public var subscriptionIds: [UInt32]

    public init(requestHeader: RequestHeader = RequestHeader(), subscriptionIds: [UInt32] = []) {
        self.requestHeader = requestHeader
        self.subscriptionIds = subscriptionIds
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        requestHeader = try reader.read()
        subscriptionIds = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(requestHeader)
        writer.write(subscriptionIds)
    }
}

/// One StatusCode per subscription.
public struct DeleteSubscriptionsResponse: Hashable, Sendable, OPCUAResponse {
    public static let binaryEncodingId: UInt32 = 850

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
