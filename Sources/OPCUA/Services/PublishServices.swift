import NIOCore

// Publish / Republish (Part 4 §5.13.5-6) and the notifications they carry.

/// Hands the server a slot for the next notification and acknowledges received sequence numbers.
public struct PublishRequest: Hashable, Sendable, OPCUARequest {
    public typealias Response = PublishResponse
    public static let binaryEncodingId: UInt32 = 826

    public var requestHeader: RequestHeader
    public var subscriptionAcknowledgements: [SubscriptionAcknowledgement]

    public init(
        requestHeader: RequestHeader = RequestHeader(),
        subscriptionAcknowledgements: [SubscriptionAcknowledgement] = []
    ) {
        self.requestHeader = requestHeader
        self.subscriptionAcknowledgements = subscriptionAcknowledgements
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        requestHeader = try reader.read()
        subscriptionAcknowledgements = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(requestHeader)
        writer.write(subscriptionAcknowledgements)
    }
}

/// One NotificationMessage of one subscription (empty `notificationData` = keep-alive); `results` answer the
/// acknowledgements.
public struct PublishResponse: Hashable, Sendable, OPCUAResponse {
    public static let binaryEncodingId: UInt32 = 829

    public var responseHeader: ResponseHeader
    public var subscriptionId: UInt32
    public var availableSequenceNumbers: [UInt32]
    public var moreNotifications: Bool
    public var notificationMessage: NotificationMessage
    public var results: [StatusCode]
    public var diagnosticInfos: [DiagnosticInfo]

    public init(
        responseHeader: ResponseHeader = ResponseHeader(),
        subscriptionId: UInt32 = 0,
        availableSequenceNumbers: [UInt32] = [],
        moreNotifications: Bool = false,
        notificationMessage: NotificationMessage = NotificationMessage(),
        results: [StatusCode] = [],
        diagnosticInfos: [DiagnosticInfo] = []
    ) {
        self.responseHeader = responseHeader
        self.subscriptionId = subscriptionId
        self.availableSequenceNumbers = availableSequenceNumbers
        self.moreNotifications = moreNotifications
        self.notificationMessage = notificationMessage
        self.results = results
        self.diagnosticInfos = diagnosticInfos
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        responseHeader = try reader.read()
        subscriptionId = try reader.read()
        availableSequenceNumbers = try reader.read()
        moreNotifications = try reader.read()
        notificationMessage = try reader.read()
        results = try reader.read()
        diagnosticInfos = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(responseHeader)
        writer.write(subscriptionId)
        writer.write(availableSequenceNumbers)
        writer.write(moreNotifications)
        writer.write(notificationMessage)
        writer.write(results)
        writer.write(diagnosticInfos)
    }
}

/// Asks again for a notification message that was not acknowledged.
public struct RepublishRequest: Hashable, Sendable, OPCUARequest {
    public typealias Response = RepublishResponse
    public static let binaryEncodingId: UInt32 = 832

    public var requestHeader: RequestHeader
    public var subscriptionId: UInt32
    public var retransmitSequenceNumber: UInt32

    public init(
        requestHeader: RequestHeader = RequestHeader(),
        subscriptionId: UInt32 = 0,
        retransmitSequenceNumber: UInt32 = 0
    ) {
        self.requestHeader = requestHeader
        self.subscriptionId = subscriptionId
        self.retransmitSequenceNumber = retransmitSequenceNumber
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        requestHeader = try reader.read()
        subscriptionId = try reader.read()
        retransmitSequenceNumber = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(requestHeader)
        writer.write(subscriptionId)
        writer.write(retransmitSequenceNumber)
    }
}

/// The requested notification message.
public struct RepublishResponse: Hashable, Sendable, OPCUAResponse {
    public static let binaryEncodingId: UInt32 = 835

    public var responseHeader: ResponseHeader
    public var notificationMessage: NotificationMessage

    public init(
        responseHeader: ResponseHeader = ResponseHeader(),
        notificationMessage: NotificationMessage = NotificationMessage()
    ) {
        self.responseHeader = responseHeader
        self.notificationMessage = notificationMessage
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        responseHeader = try reader.read()
        notificationMessage = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(responseHeader)
        writer.write(notificationMessage)
    }
}

/// A received notification message, so the server can drop it.
public struct SubscriptionAcknowledgement: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 823

    public var subscriptionId: UInt32
    public var sequenceNumber: UInt32

    public init(subscriptionId: UInt32 = 0, sequenceNumber: UInt32 = 0) {
        self.subscriptionId = subscriptionId
        self.sequenceNumber = sequenceNumber
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        subscriptionId = try reader.read()
        sequenceNumber = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(subscriptionId)
        writer.write(sequenceNumber)
    }
}

/// Notifications of one publishing cycle; each `notificationData` element is a DataChangeNotification,
/// StatusChangeNotification or EventNotificationList (see `notifications`).
public struct NotificationMessage: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 805

    public var sequenceNumber: UInt32
    public var publishTime: OPCUADateTime
    public var notificationData: [ExtensionObject]

    public init(
        sequenceNumber: UInt32 = 0,
        publishTime: OPCUADateTime = .null,
        notificationData: [ExtensionObject] = []
    ) {
        self.sequenceNumber = sequenceNumber
        self.publishTime = publishTime
        self.notificationData = notificationData
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        sequenceNumber = try reader.read()
        publishTime = try reader.read()
        notificationData = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(sequenceNumber)
        writer.write(publishTime)
        writer.write(notificationData)
    }
}

/// New values of monitored items.
public struct DataChangeNotification: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 811

    public var monitoredItems: [MonitoredItemNotification]
    public var diagnosticInfos: [DiagnosticInfo]

    public init(monitoredItems: [MonitoredItemNotification] = [], diagnosticInfos: [DiagnosticInfo] = []) {
        self.monitoredItems = monitoredItems
        self.diagnosticInfos = diagnosticInfos
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        monitoredItems = try reader.read()
        diagnosticInfos = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(monitoredItems)
        writer.write(diagnosticInfos)
    }
}

/// A new value of the monitored item with this client handle.
public struct MonitoredItemNotification: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 808

    public var clientHandle: UInt32
    public var value: DataValue

    public init(clientHandle: UInt32 = 0, value: DataValue = DataValue()) {
        self.clientHandle = clientHandle
        self.value = value
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        clientHandle = try reader.read()
        value = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(clientHandle)
        writer.write(value)
    }
}

/// The subscription's state changed (e.g. BadTimeout: it expired).
public struct StatusChangeNotification: Hashable, Sendable, OPCUAEncodableObject {
    public static let binaryEncodingId: UInt32 = 820

    public var status: StatusCode
    public var diagnosticInfo: DiagnosticInfo

    public init(status: StatusCode = .good, diagnosticInfo: DiagnosticInfo = DiagnosticInfo()) {
        self.status = status
        self.diagnosticInfo = diagnosticInfo
    }

    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        status = try reader.read()
        diagnosticInfo = try reader.read()
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        writer.write(status)
        writer.write(diagnosticInfo)
    }
}
