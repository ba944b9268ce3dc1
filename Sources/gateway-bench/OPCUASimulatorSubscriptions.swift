import NIOCore
import OPCUA

/// One monitored item: what to report and the handle the client knows it by.
struct OPCUASimulatorMonitoredItem {
    var clientHandle: UInt32
    var node: OPCUASimulatorNode
    var attribute: UInt32
    var timestamps: TimestampsToReturn
    /// Disabled and sampling items are kept but never reported.
    var reporting: Bool
    /// The Value of a bench variable: due again after every round.
    var changesEveryRound: Bool
}

/// One subscription's state (Part 4 §5.13): its items, which of them have an unsent value, its
/// sequence numbers and its keep-alive count. Pure bookkeeping on the connection's event loop; the
/// handler decides when to publish and does the I/O.
final class OPCUASimulatorSubscription {
    let id: UInt32
    private(set) var publishingInterval: Double = 0
    private(set) var lifetimeCount: UInt32 = 0
    private(set) var maxKeepAliveCount: UInt32 = 0
    var maxNotificationsPerPublish: UInt32 = 0
    var publishingEnabled = true

    private(set) var items: [UInt32: OPCUASimulatorMonitoredItem] = [:]
    private var nextItemId: UInt32 = 1
    /// Items whose latest value has not been sent yet, oldest first; values are taken when the
    /// message is built, so a client that falls behind gets the latest value once, not a backlog.
    private var due: [UInt32] = []
    private var dueSet = Set<UInt32>()
    /// The round whose changes are already in `due` (or sent).
    private var collectedRound: UInt64

    /// The sequence number of the next data message; keep-alives carry it without using it up.
    private(set) var nextSequenceNumber: UInt32 = 1
    /// Sent data messages not yet acknowledged (bounded: Republish is not offered anyway).
    private(set) var unacknowledged: [UInt32] = []
    /// Publishing intervals since the last message; a keep-alive is due at `maxKeepAliveCount`.
    /// It starts there, so the first cycle tells the client the subscription is alive.
    var keepAliveCounter: UInt32 = 0
    /// A cycle had something to send (data or a keep-alive) but no Publish request was queued:
    /// the next request that arrives is answered at once.
    var waitingForRequest = false

    var timer: Scheduled<Void>?
    var nextTick: NIODeadline = .now()

    static let minimumPublishingInterval = 10.0
    static let maxUnacknowledged = 100

    init(id: UInt32, round: UInt64) {
        self.id = id
        collectedRound = round
    }

    /// Revises the requested timing the way servers commonly do: an interval of at least 10 ms, a
    /// keep-alive at least every interval and at most every 10 min (if the interval allows), and a
    /// lifetime of at least three keep-alives.
    func revise(interval requested: Double, lifetime: UInt32, keepAlive: UInt32) {
        let interval = requested.isFinite ? min(max(requested, Self.minimumPublishingInterval), 3_600_000) : 1000
        publishingInterval = interval
        let maxKeepAlive = UInt32(max(1, min(600_000 / interval, 100_000)))
        maxKeepAliveCount = min(max(keepAlive, 1), maxKeepAlive)
        lifetimeCount = max(lifetime, maxKeepAliveCount * 3)
        keepAliveCounter = maxKeepAliveCount
    }

    // MARK: Items

    /// Adds an item; its current value is due at once (the initial notification every server sends).
    func add(_ item: OPCUASimulatorMonitoredItem) -> UInt32 {
        let itemId = nextItemId
        nextItemId &+= 1
        items[itemId] = item
        if item.reporting { markDue(itemId) }
        return itemId
    }

    func remove(_ itemId: UInt32) -> Bool {
        guard items.removeValue(forKey: itemId) != nil else { return false }
        dueSet.remove(itemId)   // its entry in `due` is skipped when the message is built
        return true
    }

    private func markDue(_ itemId: UInt32) {
        if dueSet.insert(itemId).inserted { due.append(itemId) }
    }

    /// After a new round every bench variable of this subscription has a new value.
    func collect(round: UInt64) {
        guard round != collectedRound else { return }
        collectedRound = round
        for (itemId, item) in items where item.changesEveryRound && item.reporting { markDue(itemId) }
    }

    var hasDataToSend: Bool { publishingEnabled && !dueSet.isEmpty }

    // MARK: Messages

    /// The next data message: up to `maxNotificationsPerPublish` due items (0 = no limit) within
    /// `byteBudget`, each with its current value. `more` is true when items are left for the next one.
    func takeDataMessage(space: OPCUASimulatorAddressSpace, round: OPCUASimulatorRound,
                         byteBudget: Int) -> (message: NotificationMessage, count: Int, more: Bool) {
        let limit = maxNotificationsPerPublish == 0 ? Int.max : Int(maxNotificationsPerPublish)
        var notifications: [MonitoredItemNotification] = []
        notifications.reserveCapacity(min(dueSet.count, limit))
        var bytes = 0
        var consumed = 0
        for itemId in due {
            guard notifications.count < limit, bytes < byteBudget else { break }
            consumed += 1
            guard dueSet.remove(itemId) != nil, let item = items[itemId] else { continue }
            let value: DataValue
            if case .variable(_, let k) = item.node, item.changesEveryRound {
                value = space.variableValue(item: k, round: round, timestamps: item.timestamps)
                bytes += 40   // handle 4 + DataValue ≤ 1 + 9 + 2 × 8, rounded up
            } else {
                value = space.read(item.node, attribute: item.attribute, round: round, timestamps: item.timestamps)
                bytes += 512  // strings, arrays, ServerStatus: a generous upper bound
            }
            notifications.append(MonitoredItemNotification(clientHandle: item.clientHandle, value: value))
        }
        due.removeFirst(consumed)
        let sequenceNumber = nextSequenceNumber
        nextSequenceNumber = nextSequenceNumber == UInt32.max ? 1 : nextSequenceNumber + 1
        unacknowledged.append(sequenceNumber)
        if unacknowledged.count > Self.maxUnacknowledged { unacknowledged.removeFirst() }
        keepAliveCounter = 0
        let message = NotificationMessage(
            sequenceNumber: sequenceNumber, publishTime: .now,
            notificationData: [ExtensionObject(DataChangeNotification(monitoredItems: notifications))])
        return (message, notifications.count, !dueSet.isEmpty)
    }

    /// A keep-alive: no notifications, the sequence number the next data message will have.
    func takeKeepAlive() -> NotificationMessage {
        keepAliveCounter = 0
        return NotificationMessage(sequenceNumber: nextSequenceNumber, publishTime: .now, notificationData: [])
    }

    /// A SubscriptionAcknowledgement from a Publish request.
    func acknowledge(_ sequenceNumber: UInt32) -> StatusCode {
        guard let index = unacknowledged.firstIndex(of: sequenceNumber) else { return .badSequenceNumberUnknown }
        unacknowledged.remove(at: index)
        return .good
    }
}

/// A Publish request the server holds until one of the session's subscriptions has something to send.
struct OPCUASimulatorPendingPublish {
    var requestId: UInt32
    var requestHandle: UInt32
    /// The answers to the acknowledgements it carried, returned with whatever response it gets.
    var results: [StatusCode]
    /// When the client stops waiting (from its timeoutHint); nil without a hint.
    var deadline: NIODeadline?
}

/// References Browse could not return at once (requestedMaxReferencesPerNode), for BrowseNext.
struct OPCUASimulatorContinuation {
    var remaining: [ReferenceDescription]
    var maxPerResult: Int
}

/// One session. Sessions live and die with their connection: both the gateway and asyncua create a
/// new session after a reconnect, so transferring sessions between channels is not simulated.
final class OPCUASimulatorSession {
    let sessionId: NodeId
    let authenticationToken: NodeId
    var activated = false
    /// Upper bound for a response (CreateSession's maxResponseMessageSize; 0 = none).
    var maxResponseMessageSize: Int
    var subscriptions: [UInt32: OPCUASimulatorSubscription] = [:]
    var publishRequests: [OPCUASimulatorPendingPublish] = []
    var continuations: [UInt64: OPCUASimulatorContinuation] = [:]
    var continuationOrder: [UInt64] = []
    var nextContinuation: UInt64 = 1

    static let maxPublishRequests = 32
    static let maxContinuations = 64

    init(sessionId: NodeId, authenticationToken: NodeId, maxResponseMessageSize: Int) {
        self.sessionId = sessionId
        self.authenticationToken = authenticationToken
        self.maxResponseMessageSize = maxResponseMessageSize
    }

    /// Keeps the rest of a browse result; the oldest point is dropped when too many are open.
    func storeContinuation(_ continuation: OPCUASimulatorContinuation) -> [UInt8] {
        let key = nextContinuation
        nextContinuation &+= 1
        continuations[key] = continuation
        continuationOrder.append(key)
        if continuationOrder.count > Self.maxContinuations {
            continuations[continuationOrder.removeFirst()] = nil
        }
        return withUnsafeBytes(of: key.littleEndian) { Array($0) }
    }

    func takeContinuation(_ point: [UInt8]) -> OPCUASimulatorContinuation? {
        guard point.count == 8 else { return nil }
        let key = point.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        continuationOrder.removeAll { $0 == key }
        return continuations.removeValue(forKey: key)
    }
}
