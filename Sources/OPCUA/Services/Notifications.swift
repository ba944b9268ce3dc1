import NIOCore

/// One element of `NotificationMessage.notificationData`, decoded by its encoding id.
public enum OPCUANotification: Hashable, Sendable {
    case dataChange(DataChangeNotification)
    case statusChange(StatusChangeNotification)
    /// An EventNotificationList (i=916), left encoded: event subscriptions are not decoded here.
    case events(ExtensionObject)
    /// Any other notification type, left encoded.
    case other(ExtensionObject)

    /// DefaultBinary encoding id of EventNotificationList.
    public static let eventNotificationListEncodingId: UInt32 = 916
}

extension NotificationMessage {
    /// True for a keep-alive (no notifications).
    public var isKeepAlive: Bool { notificationData.isEmpty }

    /// Decodes each notification; a malformed body throws (naming the type) rather than being skipped.
    public func notifications() throws(OPCUADecodingError) -> [OPCUANotification] {
        var result: [OPCUANotification] = []
        result.reserveCapacity(notificationData.count)
        for object in notificationData {
            if let change = try object.decode(as: DataChangeNotification.self) {
                result.append(.dataChange(change))
            } else if let status = try object.decode(as: StatusChangeNotification.self) {
                result.append(.statusChange(status))
            } else if object.typeId.namespaceZeroNumeric == OPCUANotification.eventNotificationListEncodingId {
                result.append(.events(object))
            } else {
                result.append(.other(object))
            }
        }
        return result
    }
}
