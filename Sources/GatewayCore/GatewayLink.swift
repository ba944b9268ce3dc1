import GatewayKit
import Logging
import ThingsBoard

/// What connectors talk to (`GatewayContext`): data goes to the ingest (report strategies,
/// storage) under the device's ThingsBoard name; the device registry learns every device and its
/// owner; device lifecycle and attribute requests go to ThingsBoard.
struct GatewayLink: GatewayContext {
    let ingest: DataIngest
    let client: ThingsBoardClient
    let devices: DeviceRegistry
    /// `deviceFiltering` (list.json); nil when off.
    let filter: DeviceFilter?
    /// nil when `syncDevicesSharedAttributesOnConnect` is off.
    let sharedAttributeSync: SharedAttributeSync?
    let logger: Logger

    nonisolated(nonsending) func send(_ data: ConvertedData, from connector: ConnectorIdentity) async -> SendOutcome {
        guard let data = await admit(data, from: connector) else { return .accepted }
        return await ingest.send(data, from: connector)
    }

    nonisolated(nonsending) func submit(_ data: ConvertedData, from connector: ConnectorIdentity) async -> SendOutcome {
        guard let data = await admit(data, from: connector) else { return .accepted }
        return await ingest.submit(data, from: connector)
    }

    nonisolated(nonsending) func submit(_ data: ConvertedData, from connector: ConnectorIdentity,
                                        whenStored: @escaping @Sendable (StoreNotice) -> Void) async -> SendOutcome {
        guard let data = await admit(data, from: connector) else {
            whenStored(.taken)
            return .accepted
        }
        return await ingest.submit(data, from: connector, whenStored: whenStored)
    }

    /// The batch's new devices are introduced concurrently (after a restart a batch
    /// may hold many), all before any of its data goes to the ingest.
    nonisolated(nonsending) func sendAll(_ batch: [ConvertedData], from connector: ConnectorIdentity) async
        -> [SendOutcome]
    {
        var outcomes = [SendOutcome](repeating: .accepted, count: batch.count)
        var admitted: [ConvertedData] = []
        var positions: [Int] = []
        var newcomers: [(data: ConvertedData, change: DeviceRegistry.Sighting)] = []
        admitted.reserveCapacity(batch.count)
        positions.reserveCapacity(batch.count)
        for (position, data) in batch.enumerated() {
            guard let (data, change) = sight(data, from: connector) else { continue }
            if change != .known { newcomers.append((data, change)) }
            admitted.append(data)
            positions.append(position)
        }
        if newcomers.count == 1 {
            await introduce(newcomers[0].data, change: newcomers[0].change, from: connector)
        } else if newcomers.count > 1 {
            await withTaskGroup(of: Void.self) { group in
                for newcomer in newcomers {
                    group.addTask { await introduce(newcomer.data, change: newcomer.change, from: connector) }
                }
            }
        }
        guard !admitted.isEmpty else { return outcomes }
        for (position, outcome) in zip(positions, await ingest.sendAll(admitted, from: connector)) {
            outcomes[position] = outcome
        }
        return outcomes
    }

    /// The device filter and the device registry: the data under its ThingsBoard name, or nil
    /// when the filter drops it (as the reference does; accepted for the connector, which has
    /// nothing to retry). The uplink announces a new or returning device before its data.
    private nonisolated(nonsending) func admit(_ data: ConvertedData, from connector: ConnectorIdentity) async -> ConvertedData? {
        guard let (data, change) = sight(data, from: connector) else { return nil }
        if change != .known { await introduce(data, change: change, from: connector) }
        return data
    }

    /// The filter and the registry's record of the sighting; nil when the filter drops the data.
    private func sight(_ data: ConvertedData, from connector: ConnectorIdentity)
        -> (data: ConvertedData, change: DeviceRegistry.Sighting)?
    {
        if let filter, !filter.allows(data.deviceName, from: connector.name) { return nil }
        var data = data
        let (name, change) = devices.sighting(of: data.deviceName, type: data.deviceType, by: connector)
        data.deviceName = name
        return (data, change)
    }

    /// What a new or re-owned device needs besides its data: the connector attributes, the shared
    /// attributes. Its announcement (`v1/gateway/connect`) is not awaited here: the uplink
    /// announces every device of a pack that this session has not announced (new ones, and
    /// returning ones, which were reported disconnected) before the pack's messages, all in one
    /// round trip. Awaiting it here cost the connector a ThingsBoard round trip per new device
    /// (the reference does not wait for it either).
    private func introduce(_ data: ConvertedData, change: DeviceRegistry.Sighting, from connector: ConnectorIdentity) async {
        switch change {
        case .known:
            break
        case .reconnected:
            // Back after being reported disconnected (also by a previous run's stop): it gets the
            // shared attributes as a connecting device does, whichever of its data or its
            // connect report comes first (the session's sync of known devices skipped it).
            sharedAttributeSync?.request(device: data.deviceName, type: data.deviceType, connector: connector.name)
        case .new, .ownerChanged:
            await sendConnectorAttributes(of: data.deviceName, type: data.deviceType, connector: connector)
            sharedAttributeSync?.request(device: data.deviceName, type: data.deviceType, connector: connector.name)
        }
    }

    func connectDevice(_ name: String, type: String, from connector: ConnectorIdentity) async {
        let (published, change) = devices.sighting(of: name, type: type, by: connector)
        // The connector's message loop calls this: it does not wait for ThingsBoard's answer
        // (up to 10 s when ThingsBoard cannot create the device).
        await announce(published, type: type, waitingForAcknowledgement: false)
        if change == .new || change == .ownerChanged {
            await sendConnectorAttributes(of: published, type: type, connector: connector)
        }
        if change != .known { sharedAttributeSync?.request(device: name, type: type, connector: connector.name) }
    }

    /// A connector removed from the configuration: its devices are forgotten (file, announcements)
    /// and, while ThingsBoard is connected, reported disconnected, as the reference's `del_device`
    /// does for each; they are no longer re-announced on reconnects.
    func removeDevices(ofConnector connector: String) async {
        for (name, record) in devices.snapshot where record.connectorName == connector {
            let published = record.renaming ?? name
            _ = devices.delete(published)
            await client.forgetDevice(published)
            guard !record.disconnected, await client.isReady else { continue }
            do {
                try await client.disconnectDevice(published)
            } catch {
                logger.debug("device disconnect not published", metadata: ["device": "\(published)", "error": "\(error)"])
            }
        }
    }

    /// As the reference: only a connected device is reported disconnected; for one the gateway
    /// does not know (or already reported) nothing is sent.
    func disconnectDevice(_ name: String, from connector: ConnectorIdentity) async {
        guard devices.markDisconnected(name) else {
            logger.info("disconnect request for a device that is not connected", metadata: ["device": "\(name)"])
            return
        }
        let published = devices.thingsBoardName(of: name)
        do {
            try await client.disconnectDevice(published)
        } catch {
            logger.debug("device disconnect not published", metadata: ["device": "\(name)", "error": "\(error)"])
        }
    }

    func requestAttributes(_ request: AttributeRequest, from connector: ConnectorIdentity) async throws(GatewayRequestError) -> JSONObject {
        guard let reply = await client.requestDeviceAttributes(device: request.deviceName, keys: request.keys,
                                                               client: request.clientScope) else {
            throw .noAnswer
        }
        return request.values(in: reply)
    }

    private func announce(_ name: String, type: String, waitingForAcknowledgement: Bool = true) async {
        do {
            try await client.announce([(name: name, type: type)], waitingForAcknowledgement: waitingForAcknowledgement)
        } catch {
            // The client re-announces every known device on its next (re)connect.
            logger.debug("device connect not published now; it is re-sent on reconnect",
                         metadata: ["device": "\(name)", "error": "\(error)"])
        }
    }

    /// `connectorType` / `connectorName` client attributes, as the reference sends them on first
    /// sight and when the owning connector changes; through storage, so they are not lost.
    /// The device's type goes with them: the uplink announces a device with the type of its
    /// first stored event.
    ///
    /// Submitted, not sent: the connector does not wait for their write. They are queued ahead of
    /// the device's data, so they are written no later than it (a durable write of the data also
    /// writes what was buffered before it). Waiting cost every new device a storage commit on the
    /// connector's path: when 100 sensors first published within 100 ms (sqlite storage), 21–111
    /// of the readings of those 300 ms were more than 2 ms late (2–26 since).
    private func sendConnectorAttributes(of device: String, type: String, connector: ConnectorIdentity) async {
        let attributes = ConvertedData(deviceName: device, deviceType: type, attributes: [
            "connectorType": .string(connector.type), "connectorName": .string(connector.name),
        ], reportStrategy: .onReceived)
        _ = await ingest.submit(attributes, from: connector)
    }
}
